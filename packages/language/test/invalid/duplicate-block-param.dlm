block B(n: int, n: int = 2) {
  input x
  output y
  y = x |> dense(n)
}

model M {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> B(2)
}
