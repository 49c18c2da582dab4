// The classic handwritten-digit network (PyTorch's examples/mnist "Net"):
// conv 1→10 k5, pool, relu, conv 10→20 k5, pool, relu, flatten (320), dropout,
// dense 320→50, relu, dropout, dense 50→10, log_softmax. 21,840 parameters.
model MnistCnn {
  input image: f32[batch, 1, 28, 28]
  output logits: f32[batch, 10]

  logits = image
    |> conv2d(filters: 10, kernel: 5)
    |> max_pool(2)
    |> relu
    |> conv2d(filters: 20, kernel: 5)
    |> max_pool(2)
    |> relu
    |> flatten
    |> dropout(0.2)
    |> dense(50)
    |> relu
    |> dropout(0.5)
    |> dense(10)
    |> log_softmax
}

train MnistCnn {
  data mnist(batch: 64, shuffle: true)
  loss nll
  optimizer adam(lr: 1e-3)
  regularize l2(1e-4)
  epochs 10
  metrics accuracy, recall
}
