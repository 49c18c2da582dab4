// A small ResNet for CIFAR-10 (He et al. 2016, the CIFAR variant): a stem, three stages of
// residual blocks, global average pooling and a 10-way classifier. Images are NCHW [batch, 3, 32, 32].

let width = 16
let blocks_per_stage = 2

/* The basic residual block: two 3×3 convolutions with batch norm, added to the shortcut. The
   shortcut is the input itself when the block keeps the shape, and a 1×1 convolution that
   projects it when the stride or the channel count changes (decided when compiling). */
block Residual(cin: int, cout: int, stride: int = 1) {
  input x
  output y

  main = x
    |> conv2d(cout, kernel: 3, stride: stride, padding: 1, bias: false)
    |> batch_norm
    |> relu
    |> conv2d(cout, kernel: 3, padding: 1, bias: false) { weight: init he_normal }
    |> batch_norm
  if stride == 1 and cin == cout {
    shortcut = x
  } else {
    shortcut = x |> conv2d(cout, kernel: 1, stride: stride, bias: false) |> batch_norm
  }
  y = relu(main + shortcut)
}

model ResNetCifar {
  input image: f32[batch, 3, 32, 32]
  output logits: f32[batch, 10]

  stem = image |> conv2d(width, kernel: 3, padding: 1, bias: false) |> batch_norm |> relu
  stage1 = stem |> repeat blocks_per_stage { Residual(width, width) }
  stage2 = stage1
    |> Residual(width, width * 2, stride: 2)
    |> repeat (blocks_per_stage - 1) { Residual(width * 2, width * 2) }
  stage3 = stage2
    |> Residual(width * 2, width * 4, stride: 2)
    |> repeat (blocks_per_stage - 1) { Residual(width * 4, width * 4) }
  logits = stage3 |> global_avg_pool |> flatten |> dense(10)
}

train ResNetCifar {
  data cifar10(batch: 128, shuffle: true)
  loss cross_entropy
  optimizer sgd(lr: 0.1)
  schedule cosine(epochs: 30)
  regularize random_flip, random_shift(pad: 4), l2(5e-4)
  epochs 30
  metrics accuracy, confusion_matrix
}
