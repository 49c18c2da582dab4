block Head(n: int) {
  input x
  output y
  h = x |> relu
  if n > 2 {
    z = h |> dense(n)
  }
  y = z
}

model M {
  input x: f32[batch, 16]
  output y: f32[batch, 4]
  y = x |> Head(n: 4) |> Head(n: 1)
}
