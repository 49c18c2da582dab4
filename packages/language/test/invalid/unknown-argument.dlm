model M {
  input image: f32[batch, 1, 28, 28]
  output y: f32[batch, 10, 24, 24]
  y = image |> conv2d(10, kernal: 5)
}
