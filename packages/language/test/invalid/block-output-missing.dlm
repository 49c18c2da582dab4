block B(n: int) {
  input x
  output y
  h = x |> dense(n)
}

model M {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> B(2)
}
