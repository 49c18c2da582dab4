model M {
  input x
  output y
  y = x |> dense(2)
}
