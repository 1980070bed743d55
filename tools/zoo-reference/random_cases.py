#!/usr/bin/env python3
"""Writes random loss cases for every zoo objective — random valid parameters (boundaries included),
batches mixing realistic statistics with extreme gaps up to ±1e4 and exact kinks — into a folder,
for check_dpo_loss.py:

    python3 tools/zoo-reference/random_cases.py /tmp/zoo-random 5
    python3 tools/zoo-reference/check_dpo_loss.py /tmp/zoo-random/*.json
"""
import json
import os
import random
import sys

RNG = random.Random(int(os.environ.get("SEED", "7")))


def beta():
    return RNG.choice([0.01, 0.05, 0.1, 0.5, 1.0, 2.0, 10.0, RNG.uniform(0.01, 3)])


def eps(lo_open=False):
    return RNG.choice(([] if lo_open else [0.0]) + [1e-6, 1e-3, 0.1, 0.25, 0.49, RNG.uniform(1e-4, 0.499)])


PARAMS = {
    "hinge": lambda: {"beta": beta()},
    "exo_pair": lambda: {"beta": beta(), "label_smoothing": eps(lo_open=True)},
    "nca_pair": lambda: {"beta": beta()},
    "robust": lambda: {"beta": beta(), "label_smoothing": eps()},
    "bco_pair": lambda: {"beta": beta(), "reward_shift": RNG.choice([True, False])},
    "sppo_hard": lambda: {"beta": beta()},
    "aot": lambda: {"beta": beta(), "label_smoothing": eps()},
    "aot_pair": lambda: {"beta": beta(), "label_smoothing": eps()},
    "apo_zero": lambda: {"beta": beta()},
    "apo_down": lambda: {"beta": beta()},
    "discopop": lambda: {"beta": beta(), "discopop_tau": RNG.choice([0.01, 0.05, 0.2, 0.5, 1.0, RNG.uniform(0.01, 1)])},
    "sigmoid_norm": lambda: {"beta": beta()},
    "cpo": lambda: {"beta": beta(), "cpo_alpha": RNG.choice([0.0, 0.5, 1.0, 3.0]), "label_smoothing": eps()},
    "dpop": lambda: {"beta": beta(), "lambda": RNG.choice([0.0, 5.0, 50.0, 500.0])},
    "rdpo": lambda: {"beta": beta(), "alpha": RNG.choice([0.0, 0.005, 0.01, 0.2, 0.5])},
    "fdpo": lambda: {"beta": beta(), "divergence": RNG.choice(["reverse_kl", "forward_kl", "js_divergence",
                                                               "alpha_divergence"]),
                     "alpha": RNG.choice([0.0, 0.1, 0.5, 0.9, 1 - 1e-5, 1 - 1e-7, 1.0, RNG.uniform(0, 1)])},
}


def row():
    kind = RNG.random()
    nw, nl = RNG.randint(1, 200), RNG.randint(1, 200)
    if kind < 0.5:
        rw, rl = -nw * RNG.uniform(0.3, 3), -nl * RNG.uniform(0.3, 3)
        pw, pl = min(-1e-6, rw + RNG.gauss(0, 5)), min(-1e-6, rl + RNG.gauss(0, 5))
    elif kind < 0.8:
        vals = [-1e-6, -0.5, -3.0, -80.0, -100.0, -700.0, -1e3, -5e3, -1e4]
        pw, pl, rw, rl = (RNG.choice(vals) for _ in range(4))
    else:
        rw, rl = -RNG.uniform(1, 50), -RNG.uniform(1, 50)
        pw, pl = rw, rl            # step 0: every kink and tie
    return {"policy_chosen": pw, "policy_rejected": pl, "reference_chosen": rw, "reference_rejected": rl,
            "chosen_tokens": nw, "rejected_tokens": nl}


if __name__ == "__main__":
    out, n = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    for objective, params in PARAMS.items():
        for k in range(n):
            case = {"objective": objective, "params": params(), "pairs": [row() for _ in range(RNG.randint(1, 9))]}
            with open(os.path.join(out, "%s-%02d.json" % (objective, k)), "w") as f:
                json.dump(case, f, indent=1)
