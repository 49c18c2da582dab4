// `if` chooses layers while compiling; a tensor's values only exist when the model runs.
model Gate {
  input x: f32[batch, 4]
  output y: f32[batch, 4]

  h = x |> dense(4)
  if h > 0 {
    y = h |> relu
  } else {
    y = h
  }
}
