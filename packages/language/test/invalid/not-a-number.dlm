model M {
  input x: f32[batch, 10]
  output y: f32[batch, 10]
  y = x |> dropout(1.2.3)
}
