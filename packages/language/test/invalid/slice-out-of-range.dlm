// Indices and slices beyond a known dim are errors (NumPy would clamp a slice silently).
model Last {
  input seq: f32[batch, 16, 32]
  output y: f32[batch, 32]
  output z: f32[batch, 16, 8]
  output w: f32[batch, 8]

  y = seq[:, 16]
  z = seq[..., 30:40]
  w = seq[:, -1, 0:8, 2]
}
