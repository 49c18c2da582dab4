// Blocks inside blocks, for depth collapsing.
block Inner(units: int) {
  input x
  output y
  y = x |> dense(units) |> relu
}

block Outer(units: int) {
  input x
  output y
  h = x |> Inner(units) |> Inner(units * 2)
  y = h |> dense(units)
}

model Deep {
  input x: f32[batch, 8]
  output y: f32[batch, 8]
  y = x |> Outer(8) |> Outer(16) |> dense(8)
}
