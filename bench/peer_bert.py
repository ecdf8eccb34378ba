#!/usr/bin/env python3
"""The PyTorch peer of bench/train-step.ts: the same BERT math (post-LN encoder, exact GELU,
MLM head tied to the word embeddings, NSP head, AdamW without bias correction), written
with plain torch.nn for this project. Prints one JSON line per measurement.

  python3 bench/peer_bert.py --preset tiny --batch 32 --seq 128 --steps 5 [--threads 1]
  python3 bench/peer_bert.py --preset base --forward --seq 128 --steps 5
"""
import argparse
import contextlib
import json
import math
import os
import resource
import sys
import time

# "--threads T" means T threads everywhere: torch's own pool and the BLAS under it (OpenBLAS
# otherwise starts one thread per core of its own, so "1 thread" would run matrix products on
# every core). Set before torch loads, because the BLAS reads them when it starts.
if "--threads" in sys.argv:
    _t = sys.argv[sys.argv.index("--threads") + 1]
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _t

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {"tiny": (2, 128, 2), "mini": (4, 256, 4), "small": (4, 512, 8), "medium": (8, 512, 8), "base": (12, 768, 12)}


class Layer(nn.Module):
    def __init__(self, h, a, i):
        super().__init__()
        self.a = a
        self.qkv = nn.ModuleList([nn.Linear(h, h) for _ in range(3)])
        self.out = nn.Linear(h, h)
        self.ln1 = nn.LayerNorm(h, eps=1e-12)
        self.inter = nn.Linear(h, i)
        self.down = nn.Linear(i, h)
        self.ln2 = nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(0.1)

    def forward(self, x, mask):
        b, t, h = x.shape
        d = h // self.a
        q, k, v = (m(x).view(b, t, self.a, d).transpose(1, 2) for m in self.qkv)
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + mask
        probs = self.drop(scores.softmax(-1))
        ctx = (probs @ v).transpose(1, 2).reshape(b, t, h)
        x = self.ln1(x + self.drop(self.out(ctx)))
        return self.ln2(x + self.drop(self.down(F.gelu(self.inter(x)))))


class Bert(nn.Module):
    def __init__(self, layers, h, a, vocab=30522, positions=512):
        super().__init__()
        self.word = nn.Embedding(vocab, h)
        self.pos = nn.Embedding(positions, h)
        self.segment = nn.Embedding(2, h)
        self.ln = nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(0.1)
        self.layers = nn.ModuleList([Layer(h, a, 4 * h) for _ in range(layers)])
        self.pool = nn.Linear(h, h)
        self.transform = nn.Linear(h, h)
        self.mlm_ln = nn.LayerNorm(h, eps=1e-12)
        self.mlm_bias = nn.Parameter(torch.zeros(vocab))
        self.nsp = nn.Linear(h, 2)

    def encode(self, ids, types, mask):
        t = ids.shape[1]
        x = self.word(ids) + self.segment(types) + self.pos.weight[:t]
        x = self.drop(self.ln(x))
        add = (1.0 - mask[:, None, None, :].float()) * -10000.0
        for layer in self.layers:
            x = layer(x, add)
        return x, torch.tanh(self.pool(x[:, 0]))

    def loss(self, ids, types, mask, mlm_labels, nsp_labels):
        h, pooled = self.encode(ids, types, mask)
        sel = mlm_labels.view(-1) != -100
        picked = h.reshape(-1, h.shape[-1])[sel]
        logits = self.mlm_ln(F.gelu(self.transform(picked))) @ self.word.weight.t() + self.mlm_bias
        return F.cross_entropy(logits, mlm_labels.view(-1)[sel]) + F.cross_entropy(self.nsp(pooled), nsp_labels)


def adamw_step(params, state, lr, wd=0.01, b1=0.9, b2=0.999, eps=1e-6):
    with torch.no_grad():
        for name, p in params:
            if p.grad is None:
                continue
            m, v = state.setdefault(name, (torch.zeros_like(p), torch.zeros_like(p)))
            m.mul_(b1).add_(p.grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            update = m / (v.sqrt() + eps)
            if not ("ln" in name or "bias" in name):
                update += wd * p
            p.sub_(lr * update)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="tiny")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--forward", action="store_true")
    ap.add_argument("--device", default="cpu", help="cpu, or cuda for the GPU issue's comparison")
    ap.add_argument("--precision", default="fp32", choices=["fp32", "tf32", "bf16"],
                    help="cuda: fp32 (TF32 off), tf32 (TF32 matrix products), bf16 (autocast)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    dev = torch.device(args.device)
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = args.precision == "tf32"
        torch.backends.cudnn.allow_tf32 = args.precision == "tf32"
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    autocast = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) if args.precision == "bf16" else contextlib.nullcontext
    layers, h, a = PRESETS[args.preset]
    model = Bert(layers, h, a).to(dev)
    b, t = args.batch, args.seq
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(1000, 30000, (b, t), generator=g)
    types = torch.zeros(b, t, dtype=torch.long)
    mask = torch.ones(b, t, dtype=torch.long)
    labels = torch.full((b, t), -100, dtype=torch.long)
    chosen = torch.rand(b, t, generator=g) < 0.15
    labels[chosen] = ids[chosen]
    nsp = torch.randint(0, 2, (b,), generator=g)
    ids, types, mask, labels, nsp = (x.to(dev) for x in (ids, types, mask, labels, nsp))
    extra = {"device": args.device, "precision": args.precision if dev.type == "cuda" else "fp32"}
    if dev.type == "cuda":
        extra["gpu"] = torch.cuda.get_device_name(dev)
    if args.forward:
        model.eval()
        with torch.no_grad(), autocast():
            model.encode(ids, types, mask)
            times = []
            for _ in range(args.steps):
                sync()
                t0 = time.perf_counter()
                model.encode(ids, types, mask)
                sync()
                times.append(time.perf_counter() - t0)
        print(json.dumps({"impl": "pytorch", "preset": args.preset, "batch": b, "seq": t, "ms": 1000 * sorted(times)[len(times) // 2],
                          "threads": args.threads, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}))
        return
    model.train()
    params = list(model.named_parameters())
    state = {}

    def step():
        model.zero_grad(set_to_none=True)
        with autocast():
            loss = model.loss(ids, types, mask, labels, nsp)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        adamw_step(params, state, 1e-4)
        return loss.item()

    step()
    times = []
    for _ in range(args.steps):
        sync()
        t0 = time.perf_counter()
        step()  # loss.item() waits for the GPU
        times.append(time.perf_counter() - t0)
    sec = sorted(times)[len(times) // 2]
    if dev.type == "cuda":
        extra["peak_gpu_mb"] = torch.cuda.max_memory_allocated(dev) / 2 ** 20
    print(json.dumps({"impl": "pytorch", "preset": args.preset, "batch": b, "seq": t, "step_s": sec, "tokens_per_s": b * t / sec,
                      "threads": args.threads, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}))


if __name__ == "__main__":
    main()
