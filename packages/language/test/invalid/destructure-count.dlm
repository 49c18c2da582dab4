model Attention {
  input x: f32[batch, 10, 24]
  output y: f32[batch, 10, 8]

  q, k = x |> dense(24) |> split(3, axis: -1)
  y = q + k
}
