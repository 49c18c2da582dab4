let n = -99999999999999999999 % 7
let m = 3000000000 * 4000000000

model M {
  input x: f32[batch, 10]
  output y: f32[batch, 10]
  y = x |> dense(99999999999999999999)
}
