// A sequence-to-sequence tagger: two stacked GRUs return a state for every step, and a dense
// layer maps each step's state to per-step scores (batch, time, tags).

let features = 16
let hidden = 32
let tags = 5

model GruTagger {
  input steps: f32[batch, time, features]
  output scores: f32[batch, time, tags]

  encoded = steps |> gru(hidden, return_sequences: true) |> gru(hidden, return_sequences: true)
  scores = encoded |> dense(tags)
}
