let depth = 100000

model Deep {
  input x: f32[batch, 8]
  output y: f32[batch, 8]

  h = x
  for i in 0..depth {
    h = h |> dense(8)
  }
  y = h
}
