model M {
  input x: f32[batch, 10]
  output y: f32[batch, 10]
  model = x |> relu
  train = model |> dense(10)
  y = train
}
