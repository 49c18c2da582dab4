block Loop(n: int) {
  input x
  output y
  y = x |> dense(n) |> Loop(n)
}

model M {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> Loop(2)
}
