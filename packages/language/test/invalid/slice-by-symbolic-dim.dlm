model M {
  input x: f32[batch, time, 16]
  output y: f32[batch, 16]
  y = x[:, :time] |> mean(axis: 1)
}
