model Classifier {
  input x: f32[batch, 4]
  output logits: f32[batch, 3]
  logits = x |> dense(3)
}

model Probs {
  input x: f32[batch, 4]
  output probs: f32[batch, 3]
  probs = x |> dense(3) |> softmax |> dropout(0.1)
}

train Classifier {
  data mnist
  loss nll
  optimizer sgd
  epochs 1
}

train Probs {
  data mnist
  loss cross_entropy
  optimizer sgd
  epochs 1
}
