model M {
  input x: f32[batch, 16]
  output y: f32[batch, 16]
  w = hiden
  hidden = x |> dense(16)
  y = hidden + w
}
