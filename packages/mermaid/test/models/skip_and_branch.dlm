// Branches and skip connections: a split merged by concat, a long skip past a repeat, and a
// chain of identical blocks broken by a skip (only the unbroken part may fold).
block Mixer(units: int) {
  input x
  output y
  y = x |> dense(units) |> relu
}

model Branchy {
  input x: f32[batch, 32]
  output y: f32[batch, 32]
  output aux: f32[batch, 64]

  a = x |> dense(32)
  b = x |> dense(32) |> relu
  both = concat(a, b)
  aux = both
  m = both |> dense(32) |> repeat 3 { Mixer(32) }
  r1 = m |> Mixer(16)
  r2 = r1 |> Mixer(16)
  r3 = r2 |> Mixer(16)
  s = (r3 + r1) |> dense(32)
  y = s + x
}
