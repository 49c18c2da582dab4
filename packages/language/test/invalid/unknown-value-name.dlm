model M {
  input x: f32[batch, 4]
  output y: f32[batch, 2]

  h1 = x |> dense(8) |> relu
  y = h2 |> dense(2)
}
