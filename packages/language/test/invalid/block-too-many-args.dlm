block Stack(units: int, depth: int = 1) {
  input x
  output y
  y = x |> repeat depth { dense(units) |> relu }
}

model M {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> Stack(8, 2, 3) |> dense(2)
}
