let name = "wide"
let a = name * 2
let b = true + 1
let c = -"x"
let d = [1, 2] + 3
