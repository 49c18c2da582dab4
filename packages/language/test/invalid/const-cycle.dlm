let a = b + 1
let b = c * 2
let c = a
