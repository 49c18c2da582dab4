// VGG-11 (Simonyan & Zisserman 2015, configuration "A") with batch normalization, for CIFAR-10
// images [batch, 3, 32, 32]: torchvision's vgg11_bn feature extractor, written as a loop over its
// configuration list, and a 512-wide classifier since five poolings leave a 1×1 map.
// tools/reference/torch_classic_nets.py builds the same network in plain torch.nn.

let config = [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]

model Vgg11 {
  input image: f32[batch, 3, 32, 32]
  output logits: f32[batch, 10]

  features = image
  // A number is a 3×3 convolution with that many filters, "M" a 2×2 max pooling.
  for c in config {
    if c == "M" {
      features = features |> max_pool(2)
    } else {
      features = features |> conv2d(c, kernel: 3, padding: 1) |> batch_norm |> relu
    }
  }
  logits = features
    |> flatten
    |> dense(512)
    |> relu
    |> dropout(0.5)
    |> dense(512)
    |> relu
    |> dropout(0.5)
    |> dense(10)
}

train Vgg11 {
  data cifar10(batch: 128, shuffle: true)
  loss cross_entropy
  optimizer sgd(lr: 0.05)
  schedule cosine(epochs: 30)
  regularize random_flip, random_shift(pad: 4), l2(5e-4)
  epochs 30
  metrics accuracy
}
