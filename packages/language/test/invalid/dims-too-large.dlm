model Wide {
  input x: f32[batch, 1000000000]
  output y: f32[batch, 10]
  y = x |> dense(10)
}

model Huge {
  input x: f32[batch, 100000, 100000]
  output y: f32[batch, 10]
  y = x |> dense(10)
}
