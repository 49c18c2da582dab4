model Mlp {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> dense(2)
}

block G() {
  input x
  output y
  y = x |> relu
}

train Gan {
  generator G
  discriminator Mlpp
  data mnist
  loss bce
  optimizer adam
  epochs 1
}
