// No model uses this block, but it is still checked.
block Head(classes: int, hidden: int = 32) {
  input x
  output y
  output extra
  h = x |> dense(hiden) |> rellu
  unused = x |> dense(classes)
  y = x |> dense(classes, bais: false)
}

model M {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> dense(2)
}
