model M {
  input x: f32[batch, 4]
  output y: f32[batch, 4]

  z = xx
  y = x |> relu
}
