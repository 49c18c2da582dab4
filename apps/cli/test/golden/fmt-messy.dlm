let width = 8

// a comment that stays
model Messy {
  input x: f32[batch, 4]
  output y: f32[batch, 2]
  y = x |> dense(width) |> relu |> dense(2)
}
