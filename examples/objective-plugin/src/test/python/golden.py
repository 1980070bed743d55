#!/usr/bin/env python3
"""Independent float64 golden values for the example plugin's objectives (standard library only;
the gradients are written out by hand, not taken from the Java code).

    python3 src/test/python/golden.py     # from examples/objective-plugin: rewrites src/test/resources/golden/
"""
import json
import math
import os
import random


def sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def dpo_shift(params, pairs):
    # loss = mean −logσ(β·ρw − λ·β·ρl)
    b, lam = params.get("beta", 0.1), params.get("lambda", 0.95)
    n = len(pairs)
    loss, gw, gl = 0.0, [], []
    for p in pairs:
        rw = p["policy_chosen"] - p["reference_chosen"]
        rl = p["policy_rejected"] - p["reference_rejected"]
        z = b * rw - lam * b * rl
        loss += softplus(-z) / n
        gw.append(-sigmoid(-z) * b / n)
        gl.append(sigmoid(-z) * lam * b / n)
    return loss, gw, gl


def simper(params, pairs):
    # loss = mean [ exp(πl/nl) − exp(πw/nw) ]
    n = len(pairs)
    loss, gw, gl = 0.0, [], []
    for p in pairs:
        aw = p["policy_chosen"] / p["chosen_tokens"]
        al = p["policy_rejected"] / p["rejected_tokens"]
        loss += (math.exp(al) - math.exp(aw)) / n
        gw.append(-math.exp(aw) / p["chosen_tokens"] / n)
        gl.append(math.exp(al) / p["rejected_tokens"] / n)
    return loss, gw, gl


def realistic(rng, n):
    out = []
    for _ in range(n):
        row = {}
        for side in ("chosen", "rejected"):
            t = rng.randint(1, 40)
            ref = -t * (0.5 + 2.5 * rng.random())
            row["policy_" + side] = min(-1e-3, ref + 3 * rng.gauss(0, 1))
            row["reference_" + side] = ref
            row[side + "_tokens"] = t
        out.append({k: row[k] for k in ("policy_chosen", "policy_rejected", "reference_chosen", "reference_rejected",
                                        "chosen_tokens", "rejected_tokens")})
    return out


EXTREME = [{"policy_chosen": -1e-6, "policy_rejected": -1e4, "reference_chosen": -1e4, "reference_rejected": -1e-6,
            "chosen_tokens": 1, "rejected_tokens": 1},
           {"policy_chosen": -1e4, "policy_rejected": -1e-6, "reference_chosen": -1e-6, "reference_rejected": -1e4,
            "chosen_tokens": 1, "rejected_tokens": 3},
           {"policy_chosen": -2.0, "policy_rejected": -3.0, "reference_chosen": -2.5, "reference_rejected": -2.5,
            "chosen_tokens": 1000, "rejected_tokens": 2}]

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    rng = random.Random(2025)
    for objective, fn, param_sets in (("dpo_shift", dpo_shift, [{}, {"beta": 0.5, "lambda": 0.5}, {"lambda": 1.0}]),
                                      ("simper", simper, [{}, {}, {}])):
        folder = os.path.join(here, "..", "resources", "golden", objective)
        os.makedirs(folder, exist_ok=True)
        cases = [("case-a", param_sets[0], realistic(rng, 4)), ("case-b", param_sets[1], realistic(rng, 5)),
                 ("case-c", param_sets[2], EXTREME)]
        for name, params, pairs in cases:
            loss, gw, gl = fn(params, pairs)
            with open(os.path.join(folder, name + ".json"), "w") as f:
                json.dump({"objective": objective, "params": params, "pairs": pairs}, f, indent=1)
                f.write("\n")
            with open(os.path.join(folder, name + ".expected.json"), "w") as f:
                json.dump({"loss": loss, "gradients": {"policy_chosen": gw, "policy_rejected": gl}}, f, indent=1)
                f.write("\n")
        print(objective, "->", os.path.normpath(folder))
