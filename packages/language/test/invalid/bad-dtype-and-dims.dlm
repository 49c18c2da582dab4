model M {
  input x: f16[batch, 0]
  input z: f32[batch, 2.5, "w"]
  output y: f32[batch, 2]
  y = (x, z) |> concat |> dense(2)
}
