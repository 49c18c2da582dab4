model Mlp {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> dense(2)
}

train Mlpp {
  data mnist(batch: 64)
  loss nll
  optimizer adam
  epochs 3
}
