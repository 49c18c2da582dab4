model Mlp {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> dense(2)
}

train Mlp {
  data mnist(batch: "big", shuffle: 1)
  loss nll
  optimizer adam(learning_rate: 0.1)
  regularize l2(weight: -1)
  epochs 2
}
