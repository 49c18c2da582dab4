model M {
  input x f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> dense(2)
}

model N {
  input x: f32[batch, 4] = 3
  output y: f32[batch, 2] = x |> dense(2)
}
