/**
 * Fixed Python functions a generated module may need, added to its prelude once each and only
 * when a lowering asks for them. They are library code, not generated: kept as plain Python so
 * they read (and diff) like the rest of the module.
 */
export type HelperName = 'lstm' | 'gru' | 'rnn' | 'resize_nearest' | 'load_safetensors';

const RECURRENT_COMMON = `def _directions(direction):
    """(reverse?) per direction, in dlm's (ONNX's) order: forward first."""
    return {"forward": [False], "reverse": [True], "bidirectional": [False, True]}[direction]


def _initial_state(state, batch, d, hidden, like):
    """initial_h / initial_c are [batch, dirs, hidden]; absent means zeros."""
    return state[:, d] if state is not None else like.new_zeros(batch, hidden)`;

const HELPERS: Record<HelperName, { code: string }> = {
  lstm: {
    code: `def _lstm(x, W, R, B, initial_h, initial_c, direction="forward"):
    """ONNX LSTM, batch-first: x [batch, seq, input], W [dirs, 4·hidden, input] (gates i, o, f, c),
    R [dirs, 4·hidden, hidden], B [dirs, 8·hidden] (Wb then Rb).
    Returns Y [batch, seq, dirs, hidden], Y_h and Y_c [batch, dirs, hidden]."""
    batch, seq, _ = x.shape
    hidden = R.shape[2]
    ys, hs, cs = [], [], []
    for d, reverse in enumerate(_directions(direction)):
        xw = torch.matmul(x, W[d].t())
        if B is not None:
            xw = xw + B[d, : 4 * hidden] + B[d, 4 * hidden :]
        h = _initial_state(initial_h, batch, d, hidden, x)
        c = _initial_state(initial_c, batch, d, hidden, x)
        steps = [None] * seq
        for t in reversed(range(seq)) if reverse else range(seq):
            gates = xw[:, t] + torch.matmul(h, R[d].t())
            i, o, f, g = gates.chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            steps[t] = h
        ys.append(torch.stack(steps, dim=1))
        hs.append(h)
        cs.append(c)
    return torch.stack(ys, dim=2), torch.stack(hs, dim=1), torch.stack(cs, dim=1)`,

  },
  gru: {
    code: `def _gru(x, W, R, B, initial_h, direction="forward", linear_before_reset=True):
    """ONNX GRU, batch-first: W [dirs, 3·hidden, input] (gates z, r, h), R [dirs, 3·hidden, hidden],
    B [dirs, 6·hidden]. linear_before_reset=True is PyTorch's nn.GRU.
    Returns Y [batch, seq, dirs, hidden] and Y_h [batch, dirs, hidden]."""
    batch, seq, _ = x.shape
    hidden = R.shape[2]
    ys, hs = [], []
    for d, reverse in enumerate(_directions(direction)):
        xw = torch.matmul(x, W[d].t())
        wb = B[d, : 3 * hidden] if B is not None else None
        rb = B[d, 3 * hidden :] if B is not None else x.new_zeros(3 * hidden)
        if wb is not None:
            xw = xw + wb
        h = _initial_state(initial_h, batch, d, hidden, x)
        steps = [None] * seq
        for t in reversed(range(seq)) if reverse else range(seq):
            xz, xr, xh = xw[:, t].chunk(3, dim=1)
            Rz, Rr, Rh = R[d].chunk(3, dim=0)
            bz, br, bh = rb.chunk(3)
            z = torch.sigmoid(xz + torch.matmul(h, Rz.t()) + bz)
            r = torch.sigmoid(xr + torch.matmul(h, Rr.t()) + br)
            if linear_before_reset:
                n = torch.tanh(xh + r * (torch.matmul(h, Rh.t()) + bh))
            else:
                n = torch.tanh(xh + torch.matmul(r * h, Rh.t()) + bh)
            h = (1 - z) * n + z * h
            steps[t] = h
        ys.append(torch.stack(steps, dim=1))
        hs.append(h)
    return torch.stack(ys, dim=2), torch.stack(hs, dim=1)`,
  },
  rnn: {
    code: `def _rnn(x, W, R, B, initial_h, direction="forward", activations=("tanh",)):
    """ONNX RNN, batch-first: h = act(x·Wᵀ + h·Rᵀ + Wb + Rb); one activation, or one per direction.
    Returns Y [batch, seq, dirs, hidden] and Y_h [batch, dirs, hidden]."""
    batch, seq, _ = x.shape
    hidden = R.shape[2]
    ys, hs = [], []
    for d, reverse in enumerate(_directions(direction)):
        act = getattr(torch, activations[d % len(activations)])
        xw = torch.matmul(x, W[d].t())
        if B is not None:
            xw = xw + B[d, :hidden] + B[d, hidden:]
        h = _initial_state(initial_h, batch, d, hidden, x)
        steps = [None] * seq
        for t in reversed(range(seq)) if reverse else range(seq):
            h = act(xw[:, t] + torch.matmul(h, R[d].t()))
            steps[t] = h
        ys.append(torch.stack(steps, dim=1))
        hs.append(h)
    return torch.stack(ys, dim=2), torch.stack(hs, dim=1)`,
  },
  resize_nearest: {
    code: `def _resize_nearest(x, scales, coordinate_mode, nearest_mode):
    """ONNX Resize (nearest) with static scales: output dim = floor(in·scale), one gather per axis."""
    for axis, scale in enumerate(scales):
        if scale == 1:
            continue
        size_in = x.shape[axis]
        size_out = int(size_in * scale)
        i = torch.arange(size_out, dtype=torch.float64)
        if coordinate_mode == "asymmetric":
            src = i / scale
        elif coordinate_mode == "align_corners":
            src = i * (size_in - 1) / (size_out - 1) if size_out > 1 else i * 0
        elif coordinate_mode == "pytorch_half_pixel":
            src = (i + 0.5) / scale - 0.5 if size_out > 1 else i * 0
        else:  # half_pixel
            src = (i + 0.5) / scale - 0.5
        if nearest_mode == "floor":
            j = torch.floor(src)
        elif nearest_mode == "ceil":
            j = torch.ceil(src)
        elif nearest_mode == "round_prefer_ceil":
            j = torch.floor(src + 0.5)
        else:  # round_prefer_floor
            j = torch.ceil(src - 0.5)
        index = j.clamp(0, size_in - 1).long().to(x.device)
        x = x.index_select(axis, index)
    return x`,
  },
  load_safetensors: {
    code: `def load_safetensors(path):
    """Reads a .safetensors file (dlm's checkpoints) into {name: tensor}, with the safetensors
    package when it is installed, else by its published layout (u64 header size, JSON, data)."""
    try:
        from safetensors.torch import load_file
    except ImportError:
        load_file = None
    if load_file is not None:
        return load_file(path)
    import json
    import struct

    dtypes = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64, "F16": torch.float16, "BF16": torch.bfloat16}
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(data[8 + n + begin : 8 + n + end])
        out[name] = torch.frombuffer(raw, dtype=dtypes[info["dtype"]]).reshape(info["shape"]) if raw else torch.zeros(info["shape"], dtype=dtypes[info["dtype"]])
    return out`,
  },
};

/** The Python source of the requested helpers (and what they need), in a stable order. */
export function helperSource(names: ReadonlySet<HelperName>): string {
  const parts: string[] = [];
  if (names.has('lstm') || names.has('gru') || names.has('rnn')) parts.push(RECURRENT_COMMON);
  for (const name of Object.keys(HELPERS) as HelperName[]) if (names.has(name)) parts.push(HELPERS[name].code);
  return parts.join('\n\n\n');
}
