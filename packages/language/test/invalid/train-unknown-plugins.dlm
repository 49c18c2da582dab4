model Mlp {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> dense(2)
}

train Mlp {
  data mnsit(batch: 64)
  loss nlll
  optimizer adma(lr: 1e-3)
  epochs 3
  metrics accuracy, recal
  schedule cosin
}
