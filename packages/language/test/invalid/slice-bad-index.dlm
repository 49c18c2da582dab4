let n = 2.5

model Steps {
  input x: f32[batch, 8]
  output y: f32[batch, 4]
  output z: f32[batch, 4]

  y = x[:, ::0]
  z = x[:, n:]
}
