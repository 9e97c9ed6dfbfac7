#!/usr/bin/python3
"""PyTorch's side of Descent's state-dict interoperability test (TorchInteropTest).

Usage:
  torch_state_dict_interop.py descent-to-torch CASES.json
  torch_state_dict_interop.py torch-to-descent CASES.json
  torch_state_dict_interop.py dtypes OUT.safetensors

CASES.json is a list of {"arch": ..., "state": file, "input": file, "output": file}. The
architectures are the PyTorch twins of the models the Java test builds:

  mlp        a module whose attribute `layers` is nn.Sequential(Linear(5, 8), BatchNorm1d(8), Tanh(),
             weight_norm(Linear(8, 3)))  (names layers.0.weight, ..., layers.3.weight_g)
  mlp_plain  the same nn.Sequential on its own (names 0.weight, ...)
  rnn        nn.RNN(3, 6) (tanh), time-major
  rnn_relu   nn.RNN(3, 4, nonlinearity="relu")
  lstm       nn.LSTM(3, 5), time-major
  seq_rnn    descent train's rnn model: rnn = nn.RNN(in, H), readout = nn.Linear(H, out) on the last
             state; sizes from the case's "sizes": [in, H, out]
  seq_lstm   the same with lstm = nn.LSTM(in, H)

descent-to-torch: loads each "state" (written by Descent) with load_state_dict(strict=True),
evaluates the model in eval mode on "input" (tensor "x") and writes the result as tensor "y" to
"output". torch-to-descent: builds each model from a fixed seed, runs three training-mode
batches (so that BatchNorm's running statistics and num_batches_tracked move), then writes its
state_dict to "state", a random input to "input" and the eval-mode output to "output".
dtypes: writes tensors of every safetensors dtype that torch converted from known float64 values
(tensor NAME_ref holds the originals in float64), so that Descent's decoders and its
round-to-nearest-even encoders are compared with torch's conversions.

Files are safetensors, read and written here with struct + json (Debian's torch 1.13 has no
safetensors package). Runs with Debian's /usr/bin/python3 (python3-torch).
"""
import json
import struct
import sys

import torch
from torch import nn

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
          "BOOL": torch.bool}
NAMES = {v: k for k, v in DTYPES.items()}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    body = data[8 + n:]
    out = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        raw = bytearray(body[begin:end])
        dtype = DTYPES[e["dtype"]]
        t = torch.frombuffer(raw, dtype=dtype) if len(raw) else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(e["shape"]).clone()
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


class Holder(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.layers = layers

    def forward(self, x):
        return self.layers(x)


class Recurrent(nn.Module):
    """nn.RNN/nn.LSTM returning all states, as Descent's layers do (no extra module level)."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x)[0]


class SequenceModel(nn.Module):
    """descent train's rnn/lstm model: a recurrent layer and a linear readout of the last state."""

    def __init__(self, kind, n_in, hidden, n_out):
        super().__init__()
        if kind == "rnn":
            self.rnn = nn.RNN(n_in, hidden)
        else:
            self.lstm = nn.LSTM(n_in, hidden)
        self.readout = nn.Linear(hidden, n_out)

    def forward(self, x):
        states = (self.rnn if hasattr(self, "rnn") else self.lstm)(x)[0]
        return self.readout(states[-1])


def build(arch, sizes=None):
    if arch in ("seq_rnn", "seq_lstm"):
        m = SequenceModel(arch[4:], *sizes)
        return m, m
    if arch in ("mlp", "mlp_plain"):
        seq = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.Tanh(), torch.nn.utils.weight_norm(nn.Linear(8, 3)))
        if arch == "mlp":
            holder = Holder(seq)
            return holder, holder
        return seq, seq
    if arch == "rnn":
        r = nn.RNN(3, 6)
    elif arch == "rnn_relu":
        r = nn.RNN(3, 4, nonlinearity="relu")
    elif arch == "lstm":
        r = nn.LSTM(3, 5)
    else:
        raise SystemExit("unknown architecture %r" % arch)
    return Recurrent(r), r


def input_for(arch, generator):
    if arch.startswith("mlp"):
        return torch.randn(7, 5, generator=generator)
    return torch.randn(6, 4, 3, generator=generator)


def descent_to_torch(cases):
    for c in cases:
        model, holder = build(c["arch"], c.get("sizes"))
        state = read_safetensors(c["state"])
        holder.load_state_dict(state, strict=True)
        model.eval()
        x = read_safetensors(c["input"])["x"]
        with torch.no_grad():
            y = model(x)
        write_safetensors(c["output"], {"y": y})


def torch_to_descent(cases):
    for i, c in enumerate(cases):
        torch.manual_seed(1000 + i)
        g = torch.Generator().manual_seed(2000 + i)
        model, holder = build(c["arch"])
        model.train()
        with torch.no_grad():
            for _ in range(3):
                model(input_for(c["arch"], g) * 2 + 0.5)
        model.eval()
        x = input_for(c["arch"], g)
        with torch.no_grad():
            y = model(x)
        write_safetensors(c["state"], holder.state_dict())
        write_safetensors(c["input"], {"x": x})
        write_safetensors(c["output"], {"y": y})


def dtypes(out):
    g = torch.Generator().manual_seed(7)
    ref = torch.cat([torch.randn(2000, generator=g, dtype=torch.float64) * 10 ** torch.randint(-9, 6, (2000,), generator=g),
                     torch.tensor([0.0, -0.0, 65504.0, 65520.0, 1e-8, 2.0 ** -24, 2.0 ** -25, 3.0 * 2.0 ** -26, 1.0 + 2.0 ** -11,
                                   1.0 + 3 * 2.0 ** -11, 3.4e38, float("inf"), -float("inf")], dtype=torch.float64)])
    ints = torch.tensor([-3, 0, 1, 5, 100, -100, 127, -128], dtype=torch.float64)
    # torch converts float64 to float16/bfloat16 through float32; giving it float32 values makes
    # its conversion a single rounding, which Descent's must then match bit for bit.
    ref32 = ref.to(torch.float32).to(torch.float64)
    tensors = {
        "f16": ref32.to(torch.float16), "f16_ref": ref32,
        "bf16": ref32.to(torch.bfloat16), "bf16_ref": ref32,
        "f32": ref.to(torch.float32), "f32_ref": ref,
        "i64": torch.tensor([-(2 ** 63), 2 ** 63 - 1, 2 ** 53 + 1], dtype=torch.int64),
        "i32": ints.to(torch.int32), "i16": ints.to(torch.int16), "i8": ints.to(torch.int8),
        "u8": torch.tensor([0, 1, 255], dtype=torch.uint8), "bool": torch.tensor([True, False, True]),
        "ints_ref": ints,
    }
    write_safetensors(out, tensors)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    mode, arg = sys.argv[1], sys.argv[2]
    if mode == "dtypes":
        dtypes(arg)
    else:
        with open(arg) as f:
            cases = json.load(f)
        {"descent-to-torch": descent_to_torch, "torch-to-descent": torch_to_descent}[mode](cases)
    print("ok")


if __name__ == "__main__":
    main()
