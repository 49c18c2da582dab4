model M {
  input x: f32[batch, 16]
  output y: f32[batch, 16]
  h = x
  for i in 0..2 {
    t = h |> dense(16)
    h = t
  }
  u = t
  y = h + u
}
