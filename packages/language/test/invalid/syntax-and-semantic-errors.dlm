// A syntax error in one model does not hide the errors of the others.
model Broken {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> dense(2 |> relu
}

model Fine {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> dense(2) |> rellu
}

train Broken {
  data mnist
  loss mse
  optimizer sgd
  epochs 1
}
