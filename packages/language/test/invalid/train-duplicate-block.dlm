model Mlp {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> dense(2)
}

train Mlp {
  data mnist
  loss mse
  optimizer sgd
  epochs 1
}

train Mlp {
  data mnist
  loss mse
  optimizer sgd
  epochs 1
}
