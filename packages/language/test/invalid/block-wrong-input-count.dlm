block Merge(axis: int = 1) {
  input a
  input b
  output y
  y = concat(a, b, axis: axis)
}

model M {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> Merge |> dense(2)
}
