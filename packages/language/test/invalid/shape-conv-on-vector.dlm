model M {
  input x: f32[batch, 4]
  output y: f32[batch, 2]

  y = x |> conv2d(8, kernel: 3) |> dense(2)
}
