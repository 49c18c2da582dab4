let width = 8

model M {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> width(2)
}
