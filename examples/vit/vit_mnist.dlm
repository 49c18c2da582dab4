// A small Vision Transformer (Dosovitskiy et al. 2021) for MNIST: 7×7 patches embedded by a
// strided convolution (16 patches of 64 features), a class token, learned positions, four
// pre-norm encoder layers (4 heads, GELU) and a linear head on the class token. Images are NCHW.

let patch = 7
let dim = 64
let heads = 4
let depth = 4

model VitMnist {
  input image: f32[batch, 1, 28, 28]
  output logits: f32[batch, 10]

  // [batch, dim, 4, 4] → [batch, 16, dim]: one token per patch
  patches = image
    |> conv2d(dim, kernel: patch, stride: patch)
    |> reshape([batch, dim, -1])
    |> transpose
  h = patches |> class_token(dim) |> positional_embedding(max_len: 17, dim: dim) |> dropout(0.1)
  for i in 0..depth {
    h = h
      |> transformer_encoder_layer(heads: heads, dim: dim, ff: 2 * dim, dropout: 0.1, norm_first: true, activation: "gelu")
  }
  cls = h |> layer_norm
  logits = cls[:, 0] |> dense(10)
}

train VitMnist {
  data mnist(batch: 64, shuffle: true)
  loss cross_entropy
  optimizer adam(lr: 1e-3)
  epochs 5
  metrics accuracy
}
