block Head(classes: int) {
  input x: f32[batch, 320]
  output y
  y = x |> dense(classes)
}

model M {
  input image: f32[batch, 784]
  output y: f32[batch, 10]
  y = image |> dense(500) |> relu |> Head(10)
}
