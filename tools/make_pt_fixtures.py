#!/usr/bin/python3
"""Fixtures for org.rnnlab.io.torch (PyTorch .pt state_dicts), made with PyTorch itself, and a checker for the
.pt files rnnlab writes.

Run with Debian's torch 1.13 and numpy from the repository root:

  /usr/bin/python3 tools/make_pt_fixtures.py
      writes rnnlab-core/src/test/resources/org/rnnlab/io/torch/*.pt and the *.npz of the arrays each one must read as
      (np.savez of tensor.numpy(), made C-contiguous; float16/bfloat16 as their exact float32 values).

  /usr/bin/python3 tools/make_pt_fixtures.py --check-java-pt FILE.pt FILE.npz
      proves a .pt written by rnnlab (TorchStateDict.write) against real torch: torch.load(FILE,
      weights_only=True) must give an OrderedDict of contiguous tensors equal, byte for byte and dtype for dtype,
      to the arrays of FILE.npz; every zip record must start on a 64-byte boundary, byteorder must be 'little'
      and version '3'; and when the names are the lab notebook's layout the state_dict must load (strict) into
      the notebook's own model class (SimpleRNN / LSTMModel, copied below) or, for GRU and stacked layers, the
      same layout with nn.GRU / num_layers, and run a forward pass.

Check results (2025-11-26, Debian's python3-torch 1.13.1, which reports torch.__version__ 1.13.0a0): each
fixture below was read by rnnlab (TorchStateDict.read) and written back (TorchStateDict.write) to /tmp by a
throwaway Java main, then checked with --check-java-pt against the fixture's own npz:
  rnn_l1             ok, load_state_dict(strict) into SimpleRNN, forward -> (1, 3, 9)
  lstm_l2            ok, into CharModel (lstm, 2 layers)
  gru_l3             ok, into CharModel (gru, 3 layers)
  rnn_l2_f64         ok, into CharModel (rnn, 2 layers, float64)
  lstm_l1_keep_vars  ok, into LSTMModel
  views, dtypes      ok (weights_only load, every tensor equal, all records 64-byte aligned; not a model layout)
  and a Java-written 1241-tensor dict (SETITEMS batches of 1000, LONG_BINPUT, a 70000-long uint8 tensor, 5-d,
  empty, 0-d, int32, bool): ok; torch.save of what torch loaded from it was read back by rnnlab equal.
The checker itself fails on a wrong npz (names differ) and on a zip written by Python's zipfile (data.pkl at
byte 46, not 64-byte aligned). torch 2.x is not installed here: its rules (the weights_only unpickler's opcode
and global allowlists, byteorder, version 3) were checked against its source, not run.

Fixtures (all small):
  rnn_l1          notebook SimpleRNN: embedding -> rnn (1 layer) -> fc, float32
  lstm_l2         embedding -> lstm (2 layers) -> fc; 4H*E = 256 elements, so numel is a BININT2
  gru_l3          embedding -> gru (3 layers) -> fc
  rnn_l2_f64      embedding -> rnn (2 layers, relu) -> fc, float64 (model.double())
  lstm_l1_keep_vars  notebook LSTMModel, state_dict(keep_vars=True): nn.Parameters (_rebuild_parameter)
  views           one float32 storage shared by a matrix, its transpose, a row, a column, a strided slice, a
                  flat tail with an offset, a 0-dim element; an expanded (stride 0) tensor; a 4-d permutation
  dtypes          float16 and bfloat16 (with infinities, NaN, subnormals, -0), int32, uint8, bool, int64,
                  an empty (0, 3) tensor, a transposed float16 view
  plain_od_lstm_l2  torch.save(OrderedDict(lstm_l2 items)): no _metadata, so its data.pkl is what rnnlab's
                  writer must reproduce byte for byte (expected arrays: lstm_l2.npz)
  plain_dict      {'w': 2x2 float32, 'n': 0-d int64}: a plain dict, not an OrderedDict
  rnn_l1_proto4   rnn_l1 saved with pickle_protocol=4 (FRAME, MEMOIZE, SHORT_BINUNICODE, STACK_GLOBAL)
  rnn_l1_torch2_layout  rnn_l1's records re-zipped the way torch 2.x lays them out: folder 'archive',
                  byteorder 'little', .format_version, .storage_alignment, .data/serialization_id (crafted
                  here with zipfile: torch 2.x is not installed)
  dtypes_big_endian  dtypes with byteorder 'big' and every storage byte-swapped, as torch on a big-endian
                  machine writes it (crafted here with zipfile)
  evil_os_system  a zip whose data.pkl is GLOBAL 'os system' + REDUCE (crafted with pickle opcodes)
  evil_reduce     torch.save of {'w': tensor, 'payload': object whose __reduce__ is os.system}: GLOBAL
                  'posix system' after a valid tensor
  legacy          torch.save(..., _use_new_zipfile_serialization=False): the pre-1.6 format (the only fixture
                  whose bytes change from run to run: that format records random storage ids)
  not_tensor      {'w': tensor, 'lr': 0.01}
  checkpoint      {'model': state_dict, 'epoch': 3}: a training checkpoint, not a state_dict
"""
import argparse
import collections
import io
import os
import struct
import sys
import zipfile

import numpy as np
import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rnnlab-core", "src", "test", "resources", "org", "rnnlab",
                   "io", "torch")


# ---- the lab notebook's model classes, verbatim (docstrings dropped)

class SimpleRNN(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_dim):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.rnn = nn.RNN(embed_dim, hidden_dim, batch_first=True)
        self.fc = nn.Linear(hidden_dim, vocab_size)

    def forward(self, x):
        x = self.embedding(x)
        out, _ = self.rnn(x)
        return self.fc(out)


class LSTMModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_dim):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_dim, batch_first=True)
        self.fc = nn.Linear(hidden_dim, vocab_size)

    def forward(self, x):
        x = self.embedding(x)
        out, _ = self.lstm(x)
        return self.fc(out)


class CharModel(nn.Module):
    """The notebook's layout generalised to GRU, stacked layers and relu: module names embedding, rnn|lstm|gru, fc."""

    def __init__(self, cell, vocab_size, embed_dim, hidden_dim, layers, nonlinearity="tanh"):
        super().__init__()
        self.cell = cell
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        if cell == "rnn":
            recurrent = nn.RNN(embed_dim, hidden_dim, layers, nonlinearity=nonlinearity, batch_first=True)
        else:
            recurrent = {"lstm": nn.LSTM, "gru": nn.GRU}[cell](embed_dim, hidden_dim, layers, batch_first=True)
        setattr(self, cell, recurrent)
        self.fc = nn.Linear(hidden_dim, vocab_size)

    def forward(self, x):
        out, _ = getattr(self, self.cell)(self.embedding(x))
        return self.fc(out)


# ---- making fixtures

def expected(tensors):
    """The arrays a reader must produce: C order, float16/bfloat16 widened exactly to float32."""
    out = collections.OrderedDict()
    for k, t in tensors.items():
        t = t.detach()
        if t.dtype in (torch.float16, torch.bfloat16):
            t = t.float()
        out[k] = np.array(t.numpy(), order="C")  # not ascontiguousarray: it turns 0-d into 1-d
    return out


def save(name, obj, npz=None, **kwargs):
    path = os.path.join(OUT, name + ".pt")
    torch.save(obj, path, **kwargs)
    if npz is not None:
        np.savez(os.path.join(OUT, name + ".npz"), **expected(npz))
    return path


def write_zip(name, records):
    """A zip of (name, bytes) records, stored, in order."""
    with zipfile.ZipFile(os.path.join(OUT, name + ".pt"), "w", zipfile.ZIP_STORED) as z:
        for record, data in records:
            info = zipfile.ZipInfo(record, date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, data)


def records(path):
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def model_fixtures():
    torch.manual_seed(0)
    rnn = SimpleRNN(9, 4, 5)
    save("rnn_l1", rnn.state_dict(), rnn.state_dict())

    torch.manual_seed(1)
    lstm = CharModel("lstm", 9, 8, 8, 2)
    save("lstm_l2", lstm.state_dict(), lstm.state_dict())
    save("plain_od_lstm_l2", collections.OrderedDict(lstm.state_dict().items()))

    torch.manual_seed(2)
    gru = CharModel("gru", 9, 4, 5, 3)
    save("gru_l3", gru.state_dict(), gru.state_dict())

    torch.manual_seed(3)
    rnn64 = CharModel("rnn", 9, 4, 5, 2, nonlinearity="relu").double()
    save("rnn_l2_f64", rnn64.state_dict(), rnn64.state_dict())

    torch.manual_seed(4)
    lstm1 = LSTMModel(9, 4, 5)
    save("lstm_l1_keep_vars", lstm1.state_dict(keep_vars=True), lstm1.state_dict())

    save("rnn_l1_proto4", rnn.state_dict(), pickle_protocol=4)
    # A plain dict rather than an OrderedDict: EMPTY_DICT + SETITEMS, no _metadata.
    save("plain_dict", {"w": torch.tensor([[1.0, 2.0], [3.0, 4.0]]), "n": torch.tensor(7)},
         {"w": torch.tensor([[1.0, 2.0], [3.0, 4.0]]), "n": torch.tensor(7)})

    # torch 2.x's layout: folder 'archive', byteorder, .format_version, .storage_alignment, serialization id.
    old = records(os.path.join(OUT, "rnn_l1.pt"))
    by_name = {n.split("/", 1)[1]: d for n, d in old}
    layout = [("data.pkl", by_name["data.pkl"]), (".format_version", b"1"), (".storage_alignment", b"64"),
              ("byteorder", b"little")]
    layout += [(n, d) for n, d in sorted(by_name.items()) if n.startswith("data/")]
    layout += [("version", b"3\n"), (".data/serialization_id", b"1234567890123456789012345678901234567890")]
    write_zip("rnn_l1_torch2_layout", [("archive/" + n, d) for n, d in layout])


def views_fixture():
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) * 0.5 - 3
    sd = collections.OrderedDict()
    sd["w"] = base
    sd["wt"] = base.t()
    sd["row"] = base[2]
    sd["col"] = base[:, 3]
    sd["slice"] = base[1:, ::2]
    sd["tail"] = base.view(-1)[7:]
    sd["element"] = base[1, 1]
    sd["bcast"] = torch.tensor([1.5, -2.0, 3.25]).expand(2, 3)
    sd["perm4d"] = (torch.arange(120, dtype=torch.float32) / 7).reshape(2, 3, 4, 5).permute(3, 1, 0, 2)
    assert sd["wt"].storage().data_ptr() == base.storage().data_ptr()
    assert not sd["wt"].is_contiguous() and not sd["perm4d"].is_contiguous()
    save("views", sd, sd)


def dtype_tensors():
    specials = [0.0, -0.0, 1.0, -2.5, 65504.0, 6.103515625e-05, 5.960464477539063e-08, float("inf"),
                float("-inf"), float("nan"), 0.1, -3.0e-6]
    sd = collections.OrderedDict()
    sd["f16"] = torch.tensor(specials, dtype=torch.float16)
    sd["bf16"] = torch.tensor(specials + [3.0e38, 1.0e-40], dtype=torch.bfloat16)
    sd["i32"] = torch.tensor([[0, -1, 2147483647], [-2147483648, 7, 42]], dtype=torch.int32)
    sd["u8"] = torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8)
    sd["bool"] = torch.tensor([[True, False], [False, True]])
    sd["i64"] = torch.tensor([4611686018427387904, -1, 0, 12345678901], dtype=torch.int64)
    sd["empty"] = torch.zeros(0, 3)
    sd["f16_t"] = (torch.arange(6, dtype=torch.float16) / 4).reshape(2, 3).t()
    return sd


def dtypes_fixtures():
    sd = dtype_tensors()
    path = save("dtypes", sd, sd)
    # Big-endian: each tensor above has a storage of its own, keyed '0', '1', ... in order.
    old = records(path)
    data = [n for n, _ in old if "/data/" in n]
    assert len(data) == len(sd), data
    widths = {str(i): t.element_size() for i, t in enumerate(sd.values())}
    out = []
    for name, blob in old:
        folder, rest = name.split("/", 1)
        if rest.startswith("data/"):
            w = widths[rest[5:]]
            blob = b"".join(blob[i:i + w][::-1] for i in range(0, len(blob), w))
        out.append((name, blob))
        if rest == "data.pkl":
            out.append((folder + "/byteorder", b"big"))
    write_zip("dtypes_big_endian", out)


def bad_fixtures():
    # GLOBAL 'os system', then REDUCE with ('echo pwned',): what a malicious pickle does.
    evil = (b"\x80\x02" + b"cos\nsystem\n" + b"q\x00" + b"X\x0a\x00\x00\x00echo pwned" + b"q\x01"
            + b"\x85q\x02" + b"Rq\x03" + b".")
    write_zip("evil_os_system", [("evil_os_system/data.pkl", evil), ("evil_os_system/version", b"3\n")])

    class Payload:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    save("evil_reduce", collections.OrderedDict([("w", torch.ones(2)), ("payload", Payload())]))
    save("legacy", collections.OrderedDict([("w", torch.ones(2))]), _use_new_zipfile_serialization=False)
    save("not_tensor", collections.OrderedDict([("w", torch.ones(2)), ("lr", 0.01)]))
    torch.manual_seed(5)
    small = SimpleRNN(3, 2, 2)
    save("checkpoint", {"model": small.state_dict(), "epoch": 3})


def make():
    os.makedirs(OUT, exist_ok=True)
    model_fixtures()
    views_fixture()
    dtypes_fixtures()
    bad_fixtures()
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes, to {os.path.normpath(OUT)}")


# ---- checking a .pt that rnnlab wrote

def model_for(sd):
    """The notebook's model class for a state_dict in its layout, or None if the names are not that layout."""
    cells = [c for c in ("rnn", "lstm", "gru") if f"{c}.weight_ih_l0" in sd]
    if len(cells) != 1 or "embedding.weight" not in sd or "fc.weight" not in sd:
        return None
    cell = cells[0]
    vocab, embed = sd["embedding.weight"].shape
    hidden = sd[f"{cell}.weight_hh_l0"].shape[1]
    layers = sum(1 for k in sd if k.startswith(f"{cell}.weight_ih_l"))
    if layers == 1 and cell == "rnn":
        model = SimpleRNN(vocab, embed, hidden)
    elif layers == 1 and cell == "lstm":
        model = LSTMModel(vocab, embed, hidden)
    else:
        model = CharModel(cell, vocab, embed, hidden, layers)
    return model.to(sd["embedding.weight"].dtype)


def check_alignment(path):
    with open(path, "rb") as f:
        raw = f.read()
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
    for info in infos:
        o = info.header_offset
        assert raw[o:o + 4] == b"PK\x03\x04", info.filename
        name_len, extra_len = struct.unpack("<HH", raw[o + 26:o + 30])
        start = o + 30 + name_len + extra_len
        assert start % 64 == 0, f"{info.filename}: data at {start}, not 64-byte aligned"
        assert info.compress_type == zipfile.ZIP_STORED, info.filename
    return [i.filename for i in infos]


def check_java_pt(pt, npz):
    names = check_alignment(pt)
    folder = names[0].split("/")[0]
    with zipfile.ZipFile(pt) as z:
        assert z.read(folder + "/byteorder") == b"little"
        assert z.read(folder + "/version") == b"3\n"
    sd = torch.load(pt, weights_only=True)
    want = np.load(npz)
    assert type(sd) is collections.OrderedDict, type(sd)
    assert list(sd.keys()) == list(want.keys()), (list(sd.keys()), list(want.keys()))
    for k, t in sd.items():
        a = want[k]
        assert type(t) is torch.Tensor and t.is_contiguous() and t.storage_offset() == 0, k
        assert t.numpy().dtype == a.dtype and t.shape == a.shape, (k, t.dtype, t.shape, a.dtype, a.shape)
        assert t.numpy().tobytes() == a.tobytes(), k
    report = f"{pt}: ok: torch {torch.__version__} weights_only load, {len(sd)} tensors equal to {npz}, " \
             f"{len(names)} records 64-byte aligned"
    model = model_for(sd)
    if model is not None:
        model.load_state_dict(sd, strict=True)
        logits = model(torch.tensor([[0, 1, 2]]))
        report += f", load_state_dict(strict) into {type(model).__name__} ok, forward -> {tuple(logits.shape)}"
    print(report)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--check-java-pt", nargs=2, metavar=("FILE.pt", "FILE.npz"))
    args = p.parse_args()
    if args.check_java_pt:
        check_java_pt(*args.check_java_pt)
    else:
        make()


if __name__ == "__main__":
    sys.exit(main())
