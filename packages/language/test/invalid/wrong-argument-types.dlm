model M {
  input image: f32[batch, 1, 28, 28]
  output y: f32[batch, 10]
  y = image |> conv2d("ten", kernel: 2.5) |> flatten |> dense(10, bias: 1) |> dropout(1.5)
}
