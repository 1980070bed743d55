#!/usr/bin/env python3
"""The PyTorch-eager peer of `dpo bench-step`: the same training step written the textbook way.

A Llama / Qwen2 decoder (RoPE, grouped-query attention, SwiGLU, RMSNorm, tied embeddings where the real
model ties them) with random weights at a real checkpoint's shape, and one of two steps on the same random
tokens as the Java benchmark's rows (pairs x (prompt + response), chosen and rejected):

  dpo  full logits, log_softmax, gather; the summed response log-prob of every sequence; the DPO loss
       (beta 0.1) against reference log-probs computed once under no_grad (the cached reference)
  sft  the token-mean negative log-likelihood of the same responses

then clip_grad_norm_(1.0) and torch.optim.AdamW (lr 1e-5, betas 0.9/0.999, eps 1e-8, no weight decay).
Each step's wall, user and system time and minor page faults come from /proc/self/stat; the peak resident
memory from VmHWM; the GEMM rate at the model's forward shapes is timed in this process. Prints one
`ROW {json}` line with the fields of the Java rows.

Run it as the benchmark does (Debian's python3-torch, OpenBLAS):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 tools/step-peer/step_peer.py \
      --shape smollm2-135m --kind dpo --pairs 4 --prompt 64 --response 192 --steps 3 --warmup 1 --threads 2
Not part of the test suite.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

SHAPES = {
    # HuggingFaceTB/SmolLM2-135M
    "smollm2-135m": dict(vocab=49152, hidden=576, intermediate=1536, layers=30, heads=9, kv_heads=3, head_dim=64,
                         bias=False, rope_theta=100000.0, eps=1e-5, tied=True),
    # Qwen/Qwen2.5-0.5B
    "qwen2.5-0.5b": dict(vocab=151936, hidden=896, intermediate=4864, layers=24, heads=14, kv_heads=2, head_dim=64,
                         bias=True, rope_theta=1000000.0, eps=1e-6, tied=True),
    # Qwen/Qwen2.5-1.5B
    "qwen2.5-1.5b": dict(vocab=151936, hidden=1536, intermediate=8960, layers=28, heads=12, kv_heads=2,
                         head_dim=128, bias=True, rope_theta=1000000.0, eps=1e-6, tied=True),
}


class RMSNorm(torch.nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


class Layer(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        d, h, kv, hd = c["hidden"], c["heads"], c["kv_heads"], c["head_dim"]
        self.h, self.kv, self.hd = h, kv, hd
        self.input_norm = RMSNorm(d, c["eps"])
        self.q = torch.nn.Linear(d, h * hd, bias=c["bias"])
        self.k = torch.nn.Linear(d, kv * hd, bias=c["bias"])
        self.v = torch.nn.Linear(d, kv * hd, bias=c["bias"])
        self.o = torch.nn.Linear(h * hd, d, bias=False)
        self.post_norm = RMSNorm(d, c["eps"])
        self.gate = torch.nn.Linear(d, c["intermediate"], bias=False)
        self.up = torch.nn.Linear(d, c["intermediate"], bias=False)
        self.down = torch.nn.Linear(c["intermediate"], d, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        y = self.input_norm(x)
        q = self.q(y).view(b, t, self.h, self.hd).transpose(1, 2)
        k = self.k(y).view(b, t, self.kv, self.hd).transpose(1, 2)
        v = self.v(y).view(b, t, self.kv, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        group = self.h // self.kv
        k = k.repeat_interleave(group, dim=1)
        v = v.repeat_interleave(group, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.hd) + mask
        a = torch.softmax(scores, dim=-1) @ v
        x = x + self.o(a.transpose(1, 2).reshape(b, t, self.h * self.hd))
        y = self.post_norm(x)
        return x + self.down(F.silu(self.gate(y)) * self.up(y))


class Decoder(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = torch.nn.Embedding(c["vocab"], c["hidden"])
        self.layers = torch.nn.ModuleList(Layer(c) for _ in range(c["layers"]))
        self.norm = RMSNorm(c["hidden"], c["eps"])
        self.lm_head = None if c["tied"] else torch.nn.Linear(c["hidden"], c["vocab"], bias=False)
        for m in self.modules():
            if isinstance(m, (torch.nn.Linear, torch.nn.Embedding)):
                torch.nn.init.normal_(m.weight, 0.0, 0.02)
                if getattr(m, "bias", None) is not None:
                    torch.nn.init.zeros_(m.bias)

    def forward(self, ids):
        b, t = ids.shape
        hd = self.c["head_dim"]
        inv = 1.0 / (self.c["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
        freqs = torch.outer(torch.arange(t, dtype=torch.float32), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        mask = torch.full((t, t), float("-inf")).triu(1)[None, None]
        x = self.embed(ids)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        x = self.norm(x)
        w = self.embed.weight if self.lm_head is None else self.lm_head.weight
        return x @ w.t()  # full logits


def sequence_logps(model, ids, prompt):
    """The summed log-prob of each row's response tokens (full logits, log_softmax, gather)."""
    logits = model(ids)[:, :-1]
    labels = ids[:, 1:]
    logp = torch.log_softmax(logits, dim=-1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)
    mask = torch.zeros_like(logp)
    mask[:, prompt - 1:] = 1.0
    return (logp * mask).sum(-1), mask.sum()


def proc_stat():
    with open("/proc/self/stat") as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick, int(fields[7])


def peak_rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return -1


def gemm_rate(c, rows):
    """FLOP-weighted float32 matmul rate at the products of one layer and the lm_head, each in the three
    forms a training step runs (forward X @ W.T, input gradient dY @ W, weight gradient dY.T @ X, the weight
    stored out x in), best of 4 each, nothing copied out: the same probe as dpo4j's GemmRate."""
    d, q, kv, i, n = c["hidden"], c["heads"] * c["head_dim"], c["kv_heads"] * c["head_dim"], c["intermediate"], \
        c["layers"]
    products = [(d, q, n), (d, kv, n), (d, kv, n), (q, d, n), (d, i, n), (d, i, n), (i, d, n), (d, c["vocab"], 1)]

    def best(f):
        f()
        b = float("inf")
        for _ in range(4):
            t0 = time.perf_counter()
            f()
            b = min(b, time.perf_counter() - t0)
        return b

    flops = seconds = 0.0
    for k, m, times in products:
        x = torch.rand(rows, k) * 2 - 1
        w = torch.rand(m, k) * 2 - 1
        dy = torch.rand(rows, m) * 2 - 1
        t = best(lambda: x @ w.t()) + best(lambda: dy @ w) + best(lambda: dy.t() @ x)
        flops += 3 * 2.0 * rows * k * m * times
        seconds += t * times
    return flops / seconds


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--shape", default="smollm2-135m", choices=sorted(SHAPES))
    p.add_argument("--kind", default="dpo", choices=["dpo", "sft"])
    p.add_argument("--pairs", type=int, default=4)
    p.add_argument("--prompt", type=int, default=64)
    p.add_argument("--response", type=int, default=192)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--beta", type=float, default=0.1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    c = SHAPES[a.shape]
    tokens = 2 * a.pairs * (a.prompt + a.response)
    model = Decoder(c)
    parameters = sum(t.numel() for t in model.parameters())
    gemm = gemm_rate(c, tokens)
    g = torch.Generator().manual_seed(11)
    prompts = torch.randint(1, c["vocab"], (a.pairs, a.prompt), generator=g)
    chosen = torch.randint(1, c["vocab"], (a.pairs, a.response), generator=g)
    rejected = torch.randint(1, c["vocab"], (a.pairs, a.response), generator=g)
    ids = torch.cat([torch.cat([prompts, chosen], 1), torch.cat([prompts, rejected], 1)], 0)
    row = dict(implementation="pytorch", shape=a.shape, kind=a.kind, pairs=a.pairs, prompt_tokens=a.prompt,
               response_tokens=a.response, tokens_per_step=tokens, parameters=parameters, threads=a.threads,
               engine="torch " + torch.__version__, gemm_flops_per_second=gemm)
    if a.kind == "dpo":
        t0 = time.perf_counter()
        with torch.no_grad():
            reference, _ = sequence_logps(model, ids, a.prompt)  # the cached reference log-probs
        row["reference_seconds"] = time.perf_counter() - t0
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    wall, user, system, faults, losses = [], [], [], [], []
    for s in range(a.warmup + a.steps):
        u0, s0, f0 = proc_stat()
        t0 = time.perf_counter()
        logps, n = sequence_logps(model, ids, a.prompt)
        if a.kind == "dpo":
            pc, pr = logps[:a.pairs], logps[a.pairs:]
            rc, rr = reference[:a.pairs], reference[a.pairs:]
            loss = -F.logsigmoid(a.beta * ((pc - rc) - (pr - rr))).mean()
        else:
            loss = -logps.sum() / n
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        seconds = time.perf_counter() - t0
        u1, s1, f1 = proc_stat()
        if s >= a.warmup:
            wall.append(seconds)
            user.append(u1 - u0)
            system.append(s1 - s0)
            faults.append(f1 - f0)
        losses.append(loss.item())
        print("%s %s step %d%s: %.2f s (user %.2f, sys %.2f, %d minor faults)" % (
            a.shape, a.kind, s + 1, " (warm-up)" if s < a.warmup else "", seconds, u1 - u0, s1 - s0, f1 - f0),
            file=sys.stderr, flush=True)
    row.update(step_seconds=wall, user_seconds=user, system_seconds=system, minor_faults=faults, losses=losses,
               peak_rss_bytes=peak_rss())
    # probed again after the steps, as dpo4j does; the better of the two is the engine's rate
    after = gemm_rate(c, tokens)
    row.update(gemm_flops_per_second=max(gemm, after), gemm_probes_flops_per_second=[gemm, after])
    print("ROW " + json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
