import "../../../../../../../../../../tmp/outside.dlm"

model M {
  input x: f32[batch, 4]
  output y: f32[batch, 4]
  y = x |> relu
}
