#!/usr/bin/env python3
"""The PyTorch peer of bench/pretrain.ts: replays bert-lab's pre-training run — its initial
weights (model.safetensors, HF names) and the batches it trained on (batches.bin) — with
bench/peer_bert.py's plain-torch.nn BERT, dropout off, and BERT's optimizer as bert-lab has it:
global-norm clipping at 1.0 as tf.clip_by_global_norm, AdamW without bias correction (decay
0.01 except LayerNorm and biases, eps 1e-6), linear warmup then linear decay. Prints one JSON
line: the loss, gradient norm, seconds and real tokens of every step, and the peak RSS.

  python3 bench/peer_pretrain.py --dir DIR --lr 1e-4 --warmup 3 --steps 30 [--threads 1]
"""
import argparse
import json
import os
import resource
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_bert import Bert, adamw_step  # noqa: E402


def read_safetensors(path):
    """The format is an 8-byte header length, a JSON header, raw little-endian data (Debian has no `safetensors` module)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", f"{name}: {info['dtype']}"
        a, b = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data, dtype="<f4", count=(b - a) // 4, offset=a).reshape(info["shape"]).copy())
    return out


def peer_state_dict(hf, layers):
    """HF BertForPreTraining names → peer_bert.Bert's."""
    pairs = [("bert.embeddings.word_embeddings", "word"), ("bert.embeddings.position_embeddings", "pos"),
             ("bert.embeddings.token_type_embeddings", "segment"), ("bert.embeddings.LayerNorm", "ln"), ("bert.pooler.dense", "pool"),
             ("cls.predictions.transform.dense", "transform"), ("cls.predictions.transform.LayerNorm", "mlm_ln"), ("cls.seq_relationship", "nsp")]
    for i in range(layers):
        pre = f"bert.encoder.layer.{i}."
        pairs += [(pre + "attention.self.query", f"layers.{i}.qkv.0"), (pre + "attention.self.key", f"layers.{i}.qkv.1"),
                  (pre + "attention.self.value", f"layers.{i}.qkv.2"), (pre + "attention.output.dense", f"layers.{i}.out"),
                  (pre + "attention.output.LayerNorm", f"layers.{i}.ln1"), (pre + "intermediate.dense", f"layers.{i}.inter"),
                  (pre + "output.dense", f"layers.{i}.down"), (pre + "output.LayerNorm", f"layers.{i}.ln2")]
    names = {"cls.predictions.bias": "mlm_bias"}
    for h, p in pairs:
        for suffix in (".weight", ".bias"):
            if h + suffix in hf:
                names[h + suffix] = p + suffix
    unused = set(hf) - set(names)
    assert not unused, f"weights with no place in the peer: {sorted(unused)}"
    return {names[k]: v for k, v in hf.items()}


def blas_library():
    """The libblas torch has loaded: Debian's torch calls the system one, reference or OpenBLAS
    (torch.__config__.show() only says BLAS_INFO=generic)."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f if "libblas" in line})
    if not libs:
        return "unknown (no libblas loaded)"
    name = ", ".join(os.path.join(os.path.basename(os.path.dirname(lib)), os.path.basename(lib)) for lib in libs)
    return name if "openblas" in name else name + " — the reference BLAS, ~8x slower: compare against OpenBLAS (libopenblas0-pthread)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--steps", type=int, required=True, help="total steps of the schedule")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with open(os.path.join(args.dir, "config.json")) as f:
        c = json.load(f)
    assert c["intermediate_size"] == 4 * c["hidden_size"] and c["hidden_act"] == "gelu" and c["type_vocab_size"] == 2, "peer_bert.Bert cannot build this config"
    layers = c["num_hidden_layers"]
    model = Bert(layers, c["hidden_size"], c["num_attention_heads"], vocab=c["vocab_size"], positions=c["max_position_embeddings"])
    model.load_state_dict(peer_state_dict(read_safetensors(os.path.join(args.dir, "model.safetensors")), layers), strict=True)
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0  # as bert-lab's config: the same numbers on both sides
    model.train()

    with open(os.path.join(args.dir, "batches.json")) as f:
        index = json.load(f)
    ints = np.fromfile(os.path.join(args.dir, "batches.bin"), dtype="<i4")
    params = list(model.named_parameters())
    state = {}
    losses, grad_norms, seconds = [], [], []
    at = 0
    for step, entry in enumerate(index):
        b, t, m = entry["B"], entry["T"], entry["M"]
        sizes = [b * t, b * t, b * t, m, m, b]
        parts = []
        for n in sizes:
            parts.append(ints[at:at + n])
            at += n
        t0 = time.perf_counter()
        ids, types, mask = (torch.from_numpy(x.astype(np.int64)).view(b, t) for x in parts[:3])
        labels = torch.full((b * t,), -100, dtype=torch.long)
        labels[torch.from_numpy(parts[3].astype(np.int64))] = torch.from_numpy(parts[4].astype(np.int64))
        nsp = torch.from_numpy(parts[5].astype(np.int64))
        model.zero_grad(set_to_none=True)
        loss = model.loss(ids, types, mask, labels.view(b, t), nsp)
        loss.backward()
        with torch.no_grad():  # tf.clip_by_global_norm: scale = clip / max(norm, clip)
            grads = [p.grad for _, p in params if p.grad is not None]
            norm = torch.sqrt(sum((g * g).sum() for g in grads)).item()
            scale = 1.0 / max(norm, 1.0)
            if scale != 1.0:
                for g in grads:
                    g.mul_(scale)
        lr = args.lr * step / args.warmup if step < args.warmup else args.lr * (1 - min(step, args.steps) / args.steps)
        adamw_step(params, state, lr)
        losses.append(loss.item())
        seconds.append(time.perf_counter() - t0)
        grad_norms.append(norm)
    print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_library(),
                      "losses": losses, "grad_norms": grad_norms, "step_s": seconds, "tokens": [e["tokens"] for e in index],
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
