model M {
  input x: f32[batch, 4]
  output y: f32[batch, 2]

  y = x |> dense(2) $ relu
}
