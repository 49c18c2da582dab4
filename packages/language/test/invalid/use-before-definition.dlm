model M {
  input x: f32[batch, 10]
  output y: f32[batch, 10]
  a = c |> relu
  y = a |> dense(10)
  c = x |> dense(10)
}
