#!/usr/bin/env python3
"""The PyTorch peer of bench/wasm-matmul.ts: GFLOP/s of the same products on one thread (torch's
pool and the BLAS under it). Reads the cases as JSON on stdin, prints one JSON list.
  echo '[{"a":[4096,128],"b":[128,512],"ta":false,"tb":false}]' | python3 bench/peer_matmul.py --max-ms 300
"""
import json
import os
import sys

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import time  # noqa: E402

import torch  # noqa: E402

torch.set_num_threads(1)
max_ms = float(sys.argv[sys.argv.index("--max-ms") + 1]) if "--max-ms" in sys.argv else 300.0
out = []
for c in json.load(sys.stdin):
    a = torch.rand(*c["a"]) * 2 - 1
    b = torch.rand(*c["b"]) * 2 - 1
    f = lambda: torch.matmul(a.transpose(-1, -2) if c["ta"] else a, b.transpose(-1, -2) if c["tb"] else b)  # noqa: E731
    y = f()
    m, k = (c["a"][-1], c["a"][-2]) if c["ta"] else (c["a"][-2], c["a"][-1])
    n = c["b"][-2] if c["tb"] else c["b"][-1]
    batch = y.numel() // (m * n)
    best = 0.0
    for _ in range(3):
        t0 = time.perf_counter()
        calls = 0
        while (time.perf_counter() - t0) * 1000 < max_ms / 3:
            f()
            calls += 1
        best = max(best, 2 * m * n * k * batch * calls / (time.perf_counter() - t0) / 1e9)
    out.append(best)
print(json.dumps(out))
