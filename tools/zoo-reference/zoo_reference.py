#!/usr/bin/env python3
"""Independent float64 reference for the zoo objectives (docs: ../../docs/objectives.md, spec:
objectives-zoo.md). Pure Python and the standard library `math`: the loss is written once, straight
from the spec's formulas, and differentiated exactly by forward-mode automatic differentiation
(dual numbers carrying the gradient with respect to every policy statistic). Nothing here shares
code with the Java implementations.

    python3 tools/zoo-reference/zoo_reference.py            # (re)writes every golden case
    python3 tools/zoo-reference/zoo_reference.py case.json  # prints {"loss", "gradients"} for one case

Conventions the spec fixes: logσ(z) = −softplus(−z); relu'(0) = 0; clamp(t, max=c) has derivative
1 for t ≤ c and 0 above; sg(·) drops the gradient; sorting is stable (ties by pair index) and the
gradient follows the permutation.
"""
import json
import math
import os
import random
import sys


class D:
    """A dual number: a value and its gradient (dict: variable -> partial derivative)."""
    __slots__ = ("v", "g")

    def __init__(self, v, g=None):
        self.v = float(v)
        self.g = g or {}

    @staticmethod
    def lift(x):
        return x if isinstance(x, D) else D(x)

    def _comb(self, other, a, b, v):
        other = D.lift(other)
        g = {}
        for k, d in self.g.items():
            g[k] = g.get(k, 0.0) + a * d
        for k, d in other.g.items():
            g[k] = g.get(k, 0.0) + b * d
        return D(v, g)

    def __add__(self, o):
        o = D.lift(o)
        return self._comb(o, 1.0, 1.0, self.v + o.v)

    __radd__ = __add__

    def __sub__(self, o):
        o = D.lift(o)
        return self._comb(o, 1.0, -1.0, self.v - o.v)

    def __rsub__(self, o):
        return D.lift(o) - self

    def __mul__(self, o):
        o = D.lift(o)
        return self._comb(o, o.v, self.v, self.v * o.v)

    __rmul__ = __mul__

    def __truediv__(self, o):
        o = D.lift(o)
        return self._comb(o, 1.0 / o.v, -self.v / (o.v * o.v), self.v / o.v)

    def __rtruediv__(self, o):
        return D.lift(o) / self

    def __neg__(self):
        return self.scale(-1.0)

    def scale(self, c, v=None):
        """c·self (or a new value v with derivative c times self's)."""
        return D(c * self.v if v is None else v, {k: c * d for k, d in self.g.items()})


def chain(x, value, derivative):
    return x.scale(derivative, value)


def sigmoid_f(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def softplus_f(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def softplus(x):
    return chain(x, softplus_f(x.v), sigmoid_f(x.v))


def logsig(z):
    return -softplus(-z)


def sigmoid(z):
    s = sigmoid_f(z.v)
    return chain(z, s, s * sigmoid_f(-z.v))


def exp(x):
    e = math.exp(x.v)
    return chain(x, e, e)


def expm1(x):
    return chain(x, math.expm1(x.v), math.exp(x.v))


def relu(t):
    return chain(t, max(t.v, 0.0), 1.0 if t.v > 0 else 0.0)


def clamp_max(t, c):
    return chain(t, min(t.v, c), 1.0 if t.v <= c else 0.0)


def sg(x):
    return D(x.v)


def square(x):
    return x * x


def L_eps(z, eps):
    """cDPO label smoothing: −(1−ε)·logσ(z) − ε·logσ(−z)."""
    return -(1 - eps) * logsig(z) - eps * logsig(-z)


def mean(xs):
    total = D(0.0)
    for x in xs:
        total = total + x
    return total / len(xs)


def stable_sorted(xs):
    return [x for _, x in sorted(enumerate(xs), key=lambda t: (t[1].v, t[0]))]


# ---------------------------------------------------------------------------------------------
# The sixteen objectives, each from the spec. P: dict of parameters (defaults filled in).

DEFAULTS = {
    "hinge": {"beta": 0.1},
    "exo_pair": {"beta": 0.1, "label_smoothing": 1e-3},
    "nca_pair": {"beta": 0.1},
    "robust": {"beta": 0.1, "label_smoothing": 0.1},
    "bco_pair": {"beta": 0.1, "reward_shift": True},
    "sppo_hard": {"beta": 0.1},
    "aot": {"beta": 0.1, "label_smoothing": 0.0},
    "aot_pair": {"beta": 0.1, "label_smoothing": 0.0},
    "apo_zero": {"beta": 0.1},
    "apo_down": {"beta": 0.1},
    "discopop": {"beta": 0.1, "discopop_tau": 0.05},
    "sigmoid_norm": {"beta": 0.1},
    "cpo": {"beta": 0.1, "cpo_alpha": 1.0, "label_smoothing": 0.0},
    "dpop": {"beta": 0.1, "lambda": 50.0},
    "rdpo": {"beta": 0.1, "alpha": 0.01},
    "fdpo": {"beta": 0.1, "divergence": "reverse_kl", "alpha": 0.5},
}


def loss(objective, P, rows):
    b = P.get("beta")
    pw = [r["pw"] for r in rows]
    pl = [r["pl"] for r in rows]
    rw = [r.get("rw") for r in rows]
    rl = [r.get("rl") for r in rows]
    nw = [r["nw"] for r in rows]
    nl = [r["nl"] for r in rows]
    B = len(rows)
    if objective != "cpo":
        ρw = [pw[i] - rw[i] for i in range(B)]
        ρl = [pl[i] - rl[i] for i in range(B)]
        h = [ρw[i] - ρl[i] for i in range(B)]
        x = [b * h[i] for i in range(B)]
    if objective == "hinge":
        return mean([relu(1 - x[i]) for i in range(B)])
    if objective == "exo_pair":
        e = P["label_smoothing"]
        out = []
        for i in range(B):
            qw, ql = sigmoid(x[i]), sigmoid(-x[i])
            out.append(qw * (logsig(x[i]) - math.log1p(-e)) + ql * (logsig(-x[i]) - math.log(e)))
        return mean(out)
    if objective == "nca_pair":
        return mean([-logsig(b * ρw[i]) - 0.5 * logsig(-(b * ρw[i])) - 0.5 * logsig(-(b * ρl[i])) for i in range(B)])
    if objective == "robust":
        e = P["label_smoothing"]
        return mean([(-(1 - e) * logsig(x[i]) + e * logsig(-x[i])) / (1 - 2 * e) for i in range(B)])
    if objective == "bco_pair":
        cw = [b * ρw[i] for i in range(B)]
        cl = [b * ρl[i] for i in range(B)]
        δ = sg(mean(cw + cl)) if P["reward_shift"] else D(0.0)
        return mean([-logsig(cw[i] - δ) - logsig(-(cl[i] - δ)) for i in range(B)])
    if objective == "sppo_hard":
        t = 1 / (2 * b)
        return mean([square(ρw[i] - t) + square(ρl[i] + t) for i in range(B)])
    if objective == "aot":
        e = P["label_smoothing"]
        u = stable_sorted([pw[i] - pl[i] for i in range(B)])
        v = stable_sorted([rw[i] - rl[i] for i in range(B)])
        return mean([L_eps(b * (u[k] - v[k]), e) for k in range(B)])
    if objective == "aot_pair":
        e = P["label_smoothing"]
        sw = stable_sorted(ρw)
        sl = stable_sorted(ρl)
        return mean([L_eps(b * (sw[k] - sl[k]), e) for k in range(B)])
    if objective == "apo_zero":
        return mean([sigmoid(-(b * ρw[i])) + sigmoid(b * ρl[i]) for i in range(B)])
    if objective == "apo_down":
        return mean([sigmoid(b * ρw[i]) + sigmoid(-x[i]) for i in range(B)])
    if objective == "discopop":
        τ = P["discopop_tau"]
        return mean([sigmoid(-x[i] / τ) * softplus(-x[i]) + exp(logsig(x[i] / τ) - x[i]) for i in range(B)])
    if objective == "sigmoid_norm":
        return mean([-logsig(b * (ρw[i] / max(nw[i], 1) - ρl[i] / max(nl[i], 1))) for i in range(B)])
    if objective == "cpo":
        e = P["label_smoothing"]
        pref = mean([L_eps(b * (pw[i] - pl[i]), e) for i in range(B)])
        total_pw = D(0.0)
        for i in range(B):
            total_pw = total_pw + pw[i]
        nll = -total_pw / sum(nw)
        return pref + P["cpo_alpha"] * nll
    if objective == "dpop":
        lam = P["lambda"]
        return mean([-logsig(b * (h[i] - lam * relu(rw[i] - pw[i]))) for i in range(B)])
    if objective == "rdpo":
        a = P["alpha"]
        return mean([-logsig(x[i] + a * (nw[i] - nl[i])) for i in range(B)])
    if objective == "fdpo":
        div = P["divergence"]
        a = P["alpha"]

        def s(r):
            if div == "reverse_kl":
                return r
            if div == "forward_kl":
                return -exp(clamp_max(-r, 80.0))
            if div == "js_divergence":
                return logsig(r)
            if div == "alpha_divergence":
                if abs(a - 1) >= 1e-6:
                    return expm1(clamp_max((a - 1) * r, 80.0)) / (a - 1)
                return r
            raise ValueError(div)

        return mean([-logsig(b * (s(ρw[i]) - s(ρl[i]))) for i in range(B)])
    raise ValueError("unknown objective " + objective)


def evaluate(case):
    objective = case["objective"]
    P = dict(DEFAULTS[objective])
    P.update(case.get("params", {}))
    rows = []
    for i, p in enumerate(case["pairs"]):
        r = {"pw": D(p["policy_chosen"], {("w", i): 1.0}), "pl": D(p["policy_rejected"], {("l", i): 1.0}),
             "nw": p["chosen_tokens"], "nl": p["rejected_tokens"]}
        if "reference_chosen" in p:
            r["rw"] = D(p["reference_chosen"])
            r["rl"] = D(p["reference_rejected"])
        rows.append(r)
    out = loss(objective, P, rows)
    n = len(rows)
    return {"loss": out.v, "gradients": {
        "policy_chosen": [out.g.get(("w", i), 0.0) for i in range(n)],
        "policy_rejected": [out.g.get(("l", i), 0.0) for i in range(n)]}}


# ---------------------------------------------------------------------------------------------
# Golden cases: realistic batches, varied parameters, extreme gaps, kinks and ties.

def realistic(rng, n, spread=3.0):
    pairs = []
    for _ in range(n):
        row = {}
        for side in ("chosen", "rejected"):
            t = rng.randint(1, 40)
            ref = -t * (0.5 + 2.5 * rng.random())
            pol = min(-1e-3, ref + spread * rng.gauss(0, 1))
            row["policy_" + side] = pol
            row["reference_" + side] = ref
            row[side + "_tokens"] = t
        pairs.append({k: row[k] for k in ("policy_chosen", "policy_rejected", "reference_chosen",
                                          "reference_rejected", "chosen_tokens", "rejected_tokens")})
    return pairs


def extreme(gap=1e4):
    pw = [-1e-6, -gap, -1.0, -gap, -1e-6, -gap / 2, -3.0, -gap]
    rw = [-gap, -1e-6, -gap, -1.0, -1e-6, -gap / 2, -2.5, -gap]
    pl = [-gap, -1e-6, -gap, -1e-6, -1e-6, -1e-6, -2.0, -gap]
    rl = [-1e-6, -gap, -1e-6, -gap, -1e-6, -gap, -2.0, -1e-6]
    nw = [1, 1, 3, 1, 1, 1000, 5, 7]
    nl = [1, 1, 1, 2, 1, 1, 9, 2]
    return [{"policy_chosen": pw[i], "policy_rejected": pl[i], "reference_chosen": rw[i],
             "reference_rejected": rl[i], "chosen_tokens": nw[i], "rejected_tokens": nl[i]} for i in range(len(pw))]


def moderate_gaps(rng, n, scale):
    """Log-ratio gaps of tens to hundreds of nats: saturated regions, but not cancelling in float32."""
    pairs = []
    for _ in range(n):
        rwv = -rng.uniform(5, 400)
        rlv = -rng.uniform(5, 400)
        pairs.append({"policy_chosen": min(-1e-3, rwv + rng.uniform(-scale, scale)),
                      "policy_rejected": min(-1e-3, rlv + rng.uniform(-scale, scale)),
                      "reference_chosen": rwv, "reference_rejected": rlv,
                      "chosen_tokens": rng.randint(1, 60), "rejected_tokens": rng.randint(1, 60)})
    return pairs


def step_zero(rng, n):
    """Policy equal to reference: every kink of dpop and every tie of the sorts is hit exactly."""
    pairs = realistic(rng, n)
    for p in pairs:
        p["policy_chosen"] = p["reference_chosen"]
        p["policy_rejected"] = p["reference_rejected"]
    return pairs


def cases():
    rng = random.Random(20260724)
    out = {}
    spec = {
        "hinge": [{}, {"beta": 0.5}, {"beta": 2.0}],
        "exo_pair": [{}, {"beta": 0.5, "label_smoothing": 0.2}, {"label_smoothing": 0.49}],
        "nca_pair": [{}, {"beta": 1.0}, {"beta": 0.02}],
        "robust": [{}, {"beta": 0.5, "label_smoothing": 0.3}, {"label_smoothing": 0.0}],
        "bco_pair": [{}, {"beta": 0.5}, {"reward_shift": False}],
        "sppo_hard": [{}, {"beta": 0.5}, {"beta": 0.01}],
        "aot": [{}, {"beta": 0.5, "label_smoothing": 0.2}, {"label_smoothing": 0.1}],
        "aot_pair": [{}, {"beta": 0.5, "label_smoothing": 0.2}, {"label_smoothing": 0.1}],
        "apo_zero": [{}, {"beta": 0.5}, {"beta": 2.0}],
        "apo_down": [{}, {"beta": 0.5}, {"beta": 2.0}],
        "discopop": [{}, {"beta": 0.5, "discopop_tau": 0.5}, {"discopop_tau": 1.0}],
        "sigmoid_norm": [{}, {"beta": 2.0}, {"beta": 10.0}],
        "cpo": [{}, {"beta": 0.5, "cpo_alpha": 0.0, "label_smoothing": 0.2}, {"cpo_alpha": 2.5, "label_smoothing": 0.1}],
        "dpop": [{}, {"beta": 0.5, "lambda": 5.0}, {"lambda": 0.0}],
        "rdpo": [{}, {"beta": 0.5, "alpha": 0.2}, {"alpha": 0.0}],
        "fdpo": [{}, {"divergence": "forward_kl"}, {"divergence": "js_divergence", "beta": 0.5},
                 {"divergence": "alpha_divergence"}, {"divergence": "alpha_divergence", "alpha": 0.1},
                 {"divergence": "alpha_divergence", "alpha": 0.9999999}, {"divergence": "alpha_divergence", "alpha": 0.0}],
    }
    for objective, param_sets in spec.items():
        cs = []
        for k, params in enumerate(param_sets):
            cs.append(("case-%02d" % (len(cs) + 1), params, realistic(rng, 4 + k)))
        cs.append(("case-%02d" % (len(cs) + 1), param_sets[1], moderate_gaps(rng, 5, 60.0)))
        cs.append(("extreme-01", {}, extreme()))
        cs.append(("extreme-02", param_sets[-1], extreme(1e3)))
        cs.append(("step-zero", param_sets[0], step_zero(rng, 5)))
        if objective == "fdpo":
            # both sides of the exponent clamp at 80 (forward_kl: ρ < −80; alpha: (α−1)ρ > 80)
            cs.append(("clamp", {"divergence": "forward_kl", "beta": 0.05},
                       [{"policy_chosen": -100.0, "policy_rejected": -30.0, "reference_chosen": -10.0,
                         "reference_rejected": -40.0, "chosen_tokens": 9, "rejected_tokens": 8},
                        {"policy_chosen": -12.0, "policy_rejected": -95.0, "reference_chosen": -10.0,
                         "reference_rejected": -10.0, "chosen_tokens": 3, "rejected_tokens": 30},
                        {"policy_chosen": -20.0, "policy_rejected": -22.0, "reference_chosen": -21.0,
                         "reference_rejected": -20.5, "chosen_tokens": 5, "rejected_tokens": 6}]))
            cs.append(("clamp-alpha", {"divergence": "alpha_divergence", "alpha": 0.2},
                       [{"policy_chosen": -140.0, "policy_rejected": -30.0, "reference_chosen": -10.0,
                         "reference_rejected": -40.0, "chosen_tokens": 9, "rejected_tokens": 8},
                        {"policy_chosen": -20.0, "policy_rejected": -22.0, "reference_chosen": -21.0,
                         "reference_rejected": -20.5, "chosen_tokens": 5, "rejected_tokens": 6}]))
        if objective in ("aot", "aot_pair", "bco_pair"):
            base = realistic(rng, 3)
            cs.append(("ties", param_sets[0], base + [dict(p) for p in base]))
        if objective == "cpo":
            cs.append(("no-reference", {}, [{k: v for k, v in p.items() if not k.startswith("reference")}
                                            for p in realistic(rng, 4)]))
        out[objective] = cs
    return out


MODULE = {"hinge": "dpo-hinge", "exo_pair": "dpo-exo-pair", "nca_pair": "dpo-nca-pair", "robust": "dpo-robust",
          "bco_pair": "dpo-bco-pair", "sppo_hard": "dpo-sppo-hard", "aot": "dpo-aot", "aot_pair": "dpo-aot-pair",
          "apo_zero": "dpo-apo-zero", "apo_down": "dpo-apo-down", "discopop": "dpo-discopop",
          "sigmoid_norm": "dpo-sigmoid-norm", "cpo": "dpo-cpo", "dpop": "dpo-dpop", "rdpo": "dpo-rdpo",
          "fdpo": "dpo-fdpo"}


def write_all(root):
    for objective, cs in cases().items():
        folder = os.path.join(root, "zoo", MODULE[objective], "src", "test", "resources", "golden", objective)
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))
        for name, params, pairs in cs:
            case = {"objective": objective, "params": params, "pairs": pairs}
            with open(os.path.join(folder, name + ".json"), "w") as f:
                json.dump(case, f, indent=1)
                f.write("\n")
            with open(os.path.join(folder, name + ".expected.json"), "w") as f:
                json.dump(evaluate(case), f, indent=1)
                f.write("\n")
        print("%-13s %d cases -> %s" % (objective, len(cs), folder))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            print(json.dumps(evaluate(json.load(f)), indent=1))
    else:
        write_all(os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")))
