// The seed network: a small multilayer perceptron that classifies 2-D points into two classes.
// 2 inputs → 16 → 16 → 1 with a sigmoid output, trained with binary cross-entropy and SGD.
// points.csv (next to this file): two interleaved half-moons, columns x1, x2, label (0 or 1).

let hidden = 16

model Mlp {
  input point: f32[batch, 2]
  output prob: f32[batch, 1]

  h1 = point |> dense(hidden) |> relu
  h2 = h1 |> dense(hidden) { weight: init he_normal } |> relu
  prob = h2 |> dense(1) |> sigmoid
}

train Mlp {
  data csv(path: "points.csv", batch: 32)
  loss bce
  optimizer sgd(lr: 0.1)
  epochs 50
  metrics accuracy
  seed 42
}
