// Sentiment classification of movie reviews (IMDB style): token ids → embedding → LSTM → one
// probability. Sequences are (batch, time, features); the LSTM returns its last hidden state.

let vocab = 5000
let width = 64

model SentimentLstm {
  input tokens: i32[batch, time]
  output positive: f32[batch, 1]

  positive = tokens
    |> embedding(vocab, width)
    |> lstm(width)
    |> dropout(0.3)
    |> dense(1)
    |> sigmoid
}

train SentimentLstm {
  data text(vocab_size: vocab, max_len: 100, batch: 32)
  loss bce
  optimizer adam(lr: 1e-3)
  epochs 5
  metrics accuracy, precision, recall, f1
  clip 5.0
}
