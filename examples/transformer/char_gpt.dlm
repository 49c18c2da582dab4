// A small character-level GPT (Radford et al. 2018, in the nanoGPT layout): character and learned
// position embeddings, four pre-norm blocks of causal self-attention and a GELU MLP, a final layer
// norm and the next-character logits at every position. It reads the opening of Shakespeare's
// Coriolanus (coriolanus.txt beside this file, public domain: 58 distinct characters) and writes
// more of it with `dlm sample`.

let vocab = 58
let context = 64
let dim = 128
let heads = 4
let depth = 4

/* One pre-norm transformer block: x + attention(norm(x)), then + mlp(norm(·)). The causal mask
   lets position t attend to positions 0..t only, so every position predicts its next character. */
block GptBlock(dim: int, heads: int) {
  input x
  output y

  attended = x + (x |> layer_norm |> multi_head_attention(heads: heads, dim: dim, causal: true) |> dropout(0.1))
  y = attended + (attended |> layer_norm |> dense(4 * dim) |> gelu |> dense(dim) |> dropout(0.1))
}

model CharGpt {
  input chars: i32[batch, time]
  output logits: f32[batch, time, vocab]

  h = chars
    |> embedding(vocab, dim)
    |> positional_embedding(max_len: context, dim: dim)
    |> dropout(0.1)
  for i in 0..depth {
    h = h |> GptBlock(dim, heads)
  }
  logits = h |> layer_norm |> dense(vocab)
}

train CharGpt {
  data chars("coriolanus.txt", context: context, stride: 16, batch: 32)
  loss cross_entropy
  optimizer adamw(lr: 1e-3)
  epochs 20
  clip 1.0
  metrics accuracy
}
