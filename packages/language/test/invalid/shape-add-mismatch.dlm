model M {
  input x: f32[batch, 4]
  output y: f32[batch, 2]

  a = x |> dense(8)
  b = x |> dense(16)
  y = relu(a + b) |> dense(2)
}
