model Ports {
  input x: f32[batch, 4]
  output y: f32[batch, 4]

  if true {
    input z: f32[batch, 4]
  }
  y = x
}
