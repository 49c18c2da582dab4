import "lib/blocks.dlm"

block Dense2(units: int) {
  input x
  output y
  y = x |> dense(units)
}

model M {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> Dense2(2)
}
