// Sentiment classification of movie reviews (IMDB style) with a transformer encoder, beside the
// LSTM one on the same `text` dataset: token ids → embedding + fixed sinusoidal positions → two
// post-norm encoder layers whose key-padding mask comes from each review's length → the maximum
// over the real tokens → one probability. Reviews are padded at the end (id 0), so a review's
// length is its count of non-zero ids.

let vocab = 5000
let dim = 64
let max_len = 100

model SentimentTransformer {
  input tokens: i32[batch, time]
  output positive: f32[batch, 1]

  real = tokens |> greater(value: 0)
  lengths = real |> cast(to: "f32") |> sum(axis: 1) |> cast(to: "i32")
  h = tokens
    |> embedding(vocab, dim)
    |> sinusoidal_positions(max_len: max_len, dim: dim)
    |> dropout(0.1)
  for i in 0..2 {
    h = transformer_encoder_layer(h, lengths, heads: 4, dim: dim, ff: 2 * dim, dropout: 0.1)
  }
  real_steps = real |> unsqueeze(-1)
  pooled = where(real_steps, h, other: -1e4) |> max(axis: 1)
  positive = pooled |> dense(1) |> sigmoid
}

train SentimentTransformer {
  data text(vocab_size: vocab, max_len: max_len, padding: "post", batch: 32)
  loss bce
  optimizer adam(lr: 5e-4)
  epochs 5
  metrics accuracy, precision, recall, f1
  clip 1.0
}
