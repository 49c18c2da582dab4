// A DCGAN for 28×28 grey images: the generator maps 100-d noise to an image in [-1, 1]; the
// discriminator maps an image to the probability that it is real. Both are plain models; the
// `train` block with `generator` and `discriminator` trains them adversarially.

let latent = 100
let base = 64

model Generator {
  input noise: f32[batch, latent]
  output image: f32[batch, 1, 28, 28]

  image = noise
    |> dense(base * 2 * 7 * 7)
    |> reshape([batch, base * 2, 7, 7])
    |> batch_norm
    |> relu
    // 7×7 → 14×14
    |> conv2d_transpose(base, kernel: 4, stride: 2, padding: 1)
    |> batch_norm
    |> relu
    // 14×14 → 28×28
    |> conv2d_transpose(1, kernel: 4, stride: 2, padding: 1)
    |> tanh
}

model Discriminator {
  input image: f32[batch, 1, 28, 28]
  output real: f32[batch, 1]

  real = image
    |> conv2d(base, kernel: 4, stride: 2, padding: 1)
    |> leaky_relu(0.2)
    |> conv2d(base * 2, kernel: 4, stride: 2, padding: 1)
    |> leaky_relu(0.2)
    |> flatten
    |> dense(1)
    |> sigmoid
}

train Dcgan {
  generator Generator
  discriminator Discriminator
  data mnist(batch: 64, normalize: tanh)
  loss bce
  optimizer adam(lr: 2e-4)
  epochs 20
  seed 1
}
