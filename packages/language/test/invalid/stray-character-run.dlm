model M {
  input x: f32[batch, 10]
  output y: f32[batch, 10]
  y = x |> dense(10) # $ ? # ^^^ ~ ~ ~ |> relu
}
