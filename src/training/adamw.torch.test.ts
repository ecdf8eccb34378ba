// BertAdamW against a tiny PyTorch implementation of the same update (float32 on both sides),
// 5 steps, with and without bias correction. Skips outside CI when python3 has no torch.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { BertAdamW } from "./adamw";
import { findPython, needsTorch } from "../util/find-python";

const python = findPython();

const torchSkip = needsTorch;

// The update written in torch, mirroring optimization.py (and HF AdamW when correct_bias).
const SCRIPT = String.raw`
import json, math, re, sys
import torch

cfg = json.load(sys.stdin)
b1, b2, eps, wd = 0.9, 0.999, 1e-6, cfg["weightDecay"]
no_decay = re.compile("LayerNorm|layer_norm|bias")
out = {}
for correct_bias in (False, True):
    params = {n: torch.tensor(p["values"], dtype=torch.float32).reshape(p["shape"]) for n, p in cfg["params"].items()}
    m = {n: torch.zeros_like(p) for n, p in params.items()}
    v = {n: torch.zeros_like(p) for n, p in params.items()}
    for t, (grads, lr) in enumerate(zip(cfg["grads"], cfg["lrs"]), start=1):
        for n, values in grads.items():
            p = params[n]
            g = torch.tensor(values, dtype=torch.float32).reshape(p.shape)
            decays = wd != 0 and no_decay.search(n) is None
            m[n] = b1 * m[n] + (1 - b1) * g
            v[n] = b2 * v[n] + (1 - b2) * g * g
            ratio = m[n] / (torch.sqrt(v[n]) + eps)
            if not correct_bias:
                update = ratio + wd * p if decays else ratio
                p = p - lr * update
            else:
                step_size = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
                p = p - step_size * ratio
                if decays:
                    p = p - (lr * wd) * p
            params[n] = p
    out[str(correct_bias).lower()] = {n: p.reshape(-1).tolist() for n, p in params.items()}
print(json.dumps(out))
`;

before(async () => {
  await tf.setBackend("cpu");
});

test("5 steps match a PyTorch implementation of the same update", torchSkip(), () => {
  const params: Record<string, { shape: number[]; values: number[] }> = {
    "pooler.dense.weight": { shape: [2, 3], values: [0.2, -0.4, 0.6, 1.1, -0.9, 0.05] },
    "pooler.dense.bias": { shape: [3], values: [0.1, 0, -0.3] },
    "embeddings.LayerNorm.weight": { shape: [3], values: [1, 1, 1] },
    "cls.scale": { shape: [], values: [0.7] },
  };
  const grads: Record<string, number[]>[] = [];
  for (let s = 0; s < 5; s++) {
    const step: Record<string, number[]> = {};
    for (const [name, p] of Object.entries(params)) step[name] = p.values.map((_, i) => Math.sin(1.7 * s + 0.9 * i + name.length) * (s + 1) * 0.3);
    grads.push(step);
  }
  const lrs = [0, 0.02, 0.04, 0.03, 0.01]; // a warmup-decay shape, starting at 0 as BERT's does
  const weightDecay = 0.05;
  const res = spawnSync(python!, ["-c", SCRIPT], { input: JSON.stringify({ params, grads, lrs, weightDecay }), encoding: "utf8" });
  assert.equal(res.status, 0, res.stderr);
  const want = JSON.parse(res.stdout) as Record<string, Record<string, number[]>>;

  for (const biasCorrection of [false, true]) {
    const vars = new Map(Object.entries(params).map(([n, p]): [string, tf.Variable] => [n, tf.variable(tf.tensor(p.values, p.shape))]));
    const opt = new BertAdamW({ weightDecay, biasCorrection });
    grads.forEach((step, s) => {
      const g = new Map(Object.entries(step).map(([n, values]): [string, tf.Tensor] => [n, tf.tensor(values, params[n].shape)]));
      opt.applyGradients(vars, g, lrs[s]);
      for (const t of g.values()) t.dispose();
    });
    for (const [name, v] of vars) {
      const got = v.dataSync();
      const expected = want[String(biasCorrection)][name];
      expected.forEach((e, i) =>
        assert.ok(Math.abs(got[i] - e) <= 1e-5 * Math.max(1, Math.abs(e)), `${name}[${i}] (biasCorrection ${biasCorrection}): ${got[i]} vs torch ${e}`),
      );
      v.dispose();
    }
    opt.dispose();
  }
});
