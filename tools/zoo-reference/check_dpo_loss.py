#!/usr/bin/env python3
"""Runs every zoo golden case (or the given case files) through `./dpo loss --input` and compares the
loss and gradients with this folder's independent reference (zoo_reference.py) at 1e-6 relative.

    python3 tools/zoo-reference/check_dpo_loss.py [case.json ...]
"""
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import zoo_reference  # noqa: E402


def close(a, b, rel=1e-6, scale=0.0):
    return abs(a - b) <= rel * abs(b) + 1e-12 * max(1e-3, scale)


def main(files):
    if not files:
        files = sorted(f for f in glob.glob(os.path.join(ROOT, "zoo", "*", "src", "test", "resources", "golden", "*", "*.json"))
                       if not f.endswith(".expected.json"))
    # one JVM for all cases would be faster; a process per case is what a reviewer runs
    bad = 0
    for f in files:
        with open(f) as fh:
            case = json.load(fh)
        want = zoo_reference.evaluate(case)
        out = subprocess.run([os.path.join(ROOT, "dpo"), "loss", "--input", f], capture_output=True, text=True)
        if out.returncode != 0:
            print("FAIL", f, out.stderr.strip()[:300])
            bad += 1
            continue
        got = json.loads(out.stdout)
        scale = max(abs(x) for v in want["gradients"].values() for x in v)
        ok = close(got["loss"], want["loss"])
        for k, v in want["gradients"].items():
            ok = ok and all(close(g, w, scale=scale) for g, w in zip(got["gradients"][k], v))
        if not ok:
            bad += 1
            print("MISMATCH", f, got["loss"], want["loss"])
    print("%d cases, %d failed" % (len(files), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
