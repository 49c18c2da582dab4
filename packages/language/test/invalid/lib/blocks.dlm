// Helpers imported by the invalid corpus.
let width = 8

block Dense2(units: int) {
  input x
  output y
  y = x |> dense(units) |> relu
}
