#!/usr/bin/python3
"""Round-trips a Descent checkpoint through PyTorch, bit for bit.

Usage:
  torch_checkpoint_roundtrip.py IN OUT [--rnn-check PREFIX INPUT RESULT]

Reads IN, a safetensors file written by Descent, with its own strict parser (struct + json, no
safetensors package: Debian's torch 1.13 has none), turns every tensor into a torch tensor with
torch.frombuffer, and checks that the torch tensor's bytes equal the file's bytes exactly. Then it
writes OUT in the same layout from the torch tensors (in reverse name order, with the metadata and
one extra entry "torch.version"), which Descent must read back bit for bit.

With --rnn-check, it also loads the Elman layer stored under param/PREFIX.{W,U,b} into
torch.nn.RNN (weight_hh_l0 = W, weight_ih_l0 = U, bias_ih_l0 = b, bias_hh_l0 = 0), runs it on
the tensor "x" [T, B, in] of the safetensors file INPUT, and writes the states [T, B, H] as
"states" to RESULT, so that the Java side can compare PyTorch's forward pass with its own.

Exit status 0 when every check passes; a message and status 1 otherwise. Uses Debian's
/usr/bin/python3 with python3-torch and python3-numpy.
"""
import json
import struct
import sys

import torch

DTYPES = {"F32": (torch.float32, 4), "F64": (torch.float64, 8)}
MAX_HEADER = 100_000_000


def fail(msg):
    print("torch_checkpoint_roundtrip: " + msg, file=sys.stderr)
    sys.exit(1)


def reject_duplicates(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            fail("duplicate key %r in header" % k)
        seen[k] = v
    return seen


def read_safetensors(path):
    """Returns (list of (name, tensor, raw bytes), metadata), validating the layout."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        fail("%s: shorter than 8 bytes" % path)
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8 or n > MAX_HEADER:
        fail("%s: header length %d does not fit the file" % (path, n))
    header = json.loads(data[8:8 + n].decode("utf-8"), object_pairs_hook=reject_duplicates)
    if not isinstance(header, dict):
        fail("%s: header is not an object" % path)
    body = data[8 + n:]
    metadata = header.pop("__metadata__", {})
    entries = []
    for name, e in header.items():
        if set(e) != {"dtype", "shape", "data_offsets"}:
            fail("%s: tensor %r has fields %s" % (path, name, sorted(e)))
        if e["dtype"] not in DTYPES:
            fail("%s: tensor %r has dtype %r" % (path, name, e["dtype"]))
        dtype, size = DTYPES[e["dtype"]]
        begin, end = e["data_offsets"]
        count = 1
        for d in e["shape"]:
            if not isinstance(d, int) or d < 0:
                fail("%s: tensor %r has shape %r" % (path, name, e["shape"]))
            count *= d
        if end - begin != count * size or not 0 <= begin <= end <= len(body):
            fail("%s: tensor %r has data_offsets %r for shape %r" % (path, name, e["data_offsets"], e["shape"]))
        entries.append((begin, end, name, dtype, e["shape"]))
    covered = 0
    for begin, end, name, _, _ in sorted(entries):
        if begin != covered:
            fail("%s: tensor %r starts at %d, expected %d" % (path, name, begin, covered))
        covered = end
    if covered != len(body):
        fail("%s: tensors cover %d of %d data bytes" % (path, covered, len(body)))
    tensors = []
    for begin, end, name, dtype, shape in entries:
        raw = body[begin:end]
        if end == begin:
            t = torch.empty(shape, dtype=dtype)  # frombuffer rejects empty buffers
        else:
            if sys.byteorder != "little":
                fail("this script assumes a little-endian host")
            t = torch.frombuffer(bytearray(raw), dtype=dtype).reshape(shape)
        tensors.append((name, t, raw))
    return tensors, metadata


def tensor_bytes(t):
    return t.contiguous().numpy().tobytes()


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata} if metadata else {}
    offset = 0
    blobs = []
    for name, t in tensors:
        blob = tensor_bytes(t)
        dtype = {torch.float32: "F32", torch.float64: "F64"}[t.dtype]
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def rnn_check(checkpoint, prefix, input_path, result_path):
    params = {name: t for name, t, _ in checkpoint}
    w, u, b = (params["param/%s.%s" % (prefix, k)] for k in ("W", "U", "b"))
    inputs, _ = read_safetensors(input_path)
    x = {name: t for name, t, _ in inputs}["x"]
    hidden, in_features = u.shape
    rnn = torch.nn.RNN(in_features, hidden, nonlinearity="tanh", bias=True).to(torch.float64)
    with torch.no_grad():
        rnn.weight_hh_l0.copy_(w)
        rnn.weight_ih_l0.copy_(u)
        rnn.bias_ih_l0.copy_(b)
        rnn.bias_hh_l0.zero_()
        states, _ = rnn(x.to(torch.float64))
    write_safetensors(result_path, [("states", states.contiguous())], {})


def main(argv):
    if len(argv) not in (2, 6) or (len(argv) == 6 and argv[2] != "--rnn-check"):
        fail("usage: " + __doc__.strip().splitlines()[3].strip())
    source, target = argv[0], argv[1]
    tensors, metadata = read_safetensors(source)
    for name, t, raw in tensors:
        if tensor_bytes(t) != raw:
            fail("tensor %r differs from the file's bytes after loading into torch" % name)
    if metadata.get("descent.format") != "descent-checkpoint-1":
        fail("%s: not a Descent checkpoint (descent.format = %r)" % (source, metadata.get("descent.format")))
    out_meta = dict(metadata)
    out_meta["torch.version"] = torch.__version__
    write_safetensors(target, [(name, t) for name, t, _ in reversed(tensors)], out_meta)
    back, back_meta = read_safetensors(target)
    by_name = {name: raw for name, _, raw in back}
    for name, _, raw in tensors:
        if by_name.get(name) != raw:
            fail("tensor %r changed in the file written back" % name)
    if any(back_meta.get(k) != v for k, v in metadata.items()):
        fail("metadata changed in the file written back")
    if len(argv) == 6:
        rnn_check(tensors, argv[3], argv[4], argv[5])
    print("ok: %d tensors (%d bytes of data) equal bit for bit; torch %s" % (
        len(tensors), sum(len(raw) for _, _, raw in tensors), torch.__version__))


if __name__ == "__main__":
    main(sys.argv[1:])
