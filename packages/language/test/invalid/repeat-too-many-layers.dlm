model M {
  input x: f32[batch, 10]
  output y: f32[batch, 10]
  y = x |> repeat 1000 { repeat 1000 { dense(10) } }
}
