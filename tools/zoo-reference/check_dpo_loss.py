#!/usr/bin/env python3
"""Runs every zoo golden case (or the given case files) through `./dpo loss --input` and compares the
loss and gradients with this folder's independent reference (zoo_reference.py) at 1e-6 relative.

    python3 tools/zoo-reference/check_dpo_loss.py [--one-jvm] [case.json ...]

--one-jvm runs every case through the same command line in one JVM (LossBatch.java, on the ./dpo
distribution's class path; build it first with ./dpo objectives): far faster than a JVM per case.
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


def main(files, one_jvm=False):
    if not files:
        files = sorted(f for f in glob.glob(os.path.join(ROOT, "zoo", "*", "src", "test", "resources", "golden", "*", "*.json"))
                       if not f.endswith(".expected.json"))
    results = {}
    if one_jvm:
        dist = os.path.join(ROOT, "dpo-bench", "target")
        cp = os.path.join(dist, "dpo-bench.jar") + os.pathsep + os.path.join(dist, "lib", "*")
        run = subprocess.run(["java", "-Xss4m", "-Dai.djl.offline=true", "-cp", cp,
                              os.path.join(HERE, "LossBatch.java")] + files,
                             capture_output=True, text=True, env=dict(os.environ, OPT_OUT_TRACKING="true"))
        for line in run.stdout.splitlines():
            f, code, text = line.split("\t", 2)
            results[f] = (int(code), text)
    bad = 0
    for f in files:
        with open(f) as fh:
            case = json.load(fh)
        want = zoo_reference.evaluate(case)
        if one_jvm:
            code, text = results.get(f, (-1, "no result"))
        else:
            out = subprocess.run([os.path.join(ROOT, "dpo"), "loss", "--input", f], capture_output=True, text=True)
            code, text = out.returncode, out.stdout if out.returncode == 0 else out.stderr
        if code != 0:
            print("FAIL", f, text.strip()[:300])
            bad += 1
            continue
        got = json.loads(text)
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
    args = sys.argv[1:]
    one = "--one-jvm" in args
    sys.exit(main([a for a in args if a != "--one-jvm"], one))
