model M {
  input x: f32[batch, 4]
  output y: f32[batch, 2]

  a = x |> repeat 2.5 { dense(4) }
  b = x |> repeat (0 - 1) { dense(4) }
  c = x |> repeat 5000 { dense(4) }
  y = x |> dense(2)
}
