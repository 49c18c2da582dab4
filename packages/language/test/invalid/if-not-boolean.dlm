block Maybe(width: int) {
  input x
  output y
  if width {
    y = x |> dense(width)
  } else {
    y = x
  }
}

model M {
  input x: f32[batch, 4]
  output y: f32[batch, 4]
  y = x |> Maybe(4)
}
