model M {
  input x: f32[batch, 4]
  output y: f32[batch, 2]

  h = x |> dense(8)
  y = h(2)
}
