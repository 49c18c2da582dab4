// A model can be used like a block; its declared input and output types are checked.
model Encoder {
  input x: f32[batch, 4]
  output z: f32[batch, 2]
  z = x |> dense(2)
}

model M {
  input x: f32[batch, 3]
  output y: f32[batch, 2]
  y = x |> Encoder(1)
  output w: f32[batch, 2]
  w = x |> Encoder
}
