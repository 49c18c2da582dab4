let width = 8
let a = widht * 2
