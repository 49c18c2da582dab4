let a = 1 / 0
let b = 7 div (2 - 2)
let c = 5 % 0
let d = 6 / 2
