model M {
  input x: f32[batch, 4]
  h = x |> dense(2)
}
