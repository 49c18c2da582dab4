model M {
  input a: f32[batch, 4, 8]
  input b: f32[batch, 5, 9]
  output y: f32[batch, 9, 8]
  y = concat(a, b, axis: 1)
}
