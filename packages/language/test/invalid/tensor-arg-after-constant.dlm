model M {
  input a: f32[batch, 4]
  input b: f32[batch, 4]
  output y: f32[batch, 8]
  y = concat(1, a, b)
}
