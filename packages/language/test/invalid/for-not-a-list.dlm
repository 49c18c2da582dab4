let width = 64

model Loop {
  input x: f32[batch, 3, 8, 8]
  output y: f32[batch, 64, 8, 8]

  h = x
  for c in width {
    h = h |> conv2d(c, kernel: 3, padding: 1)
  }
  y = h
}
