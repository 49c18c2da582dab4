// A tiny squeeze-and-excitation network that tells horizontal from vertical stripes, built from
// the dlm-plugin-extras plugin (named in ./dlm.config.json): swish with a learnable beta, a
// squeeze_excite block, the image_folder dataset and the Lion optimizer, next to standard layers.
// Train with: dlm train stripes.dlm (the data path is relative to this file).

model StripesSeNet {
  input image: f32[batch, 3, 8, 8]
  output logits: f32[batch, 2]

  features = image
    |> conv2d(8, kernel: 3, padding: 1)
    |> swish(per_channel: true)
    |> squeeze_excite(ratio: 2)
    |> max_pool(2)
  logits = features |> global_avg_pool |> flatten |> dense(2)
}

train StripesSeNet {
  data image_folder(dir: "../fixtures/stripes", batch: 4, test_fraction: 0.25)
  loss cross_entropy
  optimizer lion(lr: 1e-2, weight_decay: 0.01)
  regularize max_norm(max: 2.0, weight: 0.01), random_brightness(0.1)
  epochs 20
  metrics accuracy
  seed 7
}
