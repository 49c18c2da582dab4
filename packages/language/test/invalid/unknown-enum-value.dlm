model M {
  input image: f32[batch, 1, 28, 28]
  output y: f32[batch, 10, 28, 28]
  y = image |> conv2d(10, kernel: 5, padding: sam)
}
