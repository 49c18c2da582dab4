model M {
  input x: f32[batch, 4]
  output y: f32[batch, 2]

  let n = 2
  y = x |> repeat n - 1 { dense(4) } |> dense(2)
}
