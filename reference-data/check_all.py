#!/usr/bin/python3
"""Run every reference-data generator's --check, one after the other, and print a summary.

    /usr/bin/python3 reference-data/check_all.py               # all of them (about 30 s)
    /usr/bin/python3 reference-data/check_all.py detect text   # only the scripts whose path contains a word

Each --check regenerates its files in memory (fixture folders: in a temporary folder) and compares them byte for
byte with the stored ones; nothing is written. The scripts run in sequence, never in parallel: each is CPU-bound
and the machine has two cores that others may be measuring on. Exit status 0 when every check passes.

generate_tokenizers.py needs ftfy from a scratch directory (tokenizers/README.md); it is put on PYTHONPATH from
$TOK_REF, default /tmp/tok-ref. Not checked here: bench_*.py and detect/gmm_bench_sklearn.py (timings, no --check).
"""

import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOK_REF = os.environ.get("TOK_REF", "/tmp/tok-ref")

# Paths relative to reference-data/, roughly fastest first.
SCRIPTS = [
    "generate.py",
    "tasks/generate_tasks.py",
    "bilevel/generate_bilevel.py",
    "manip/generate_manip.py",
    "images/generate.py",
    "exif/make_fixtures.py",
    "detect/generate_detect.py",
    "generate_models.py",
    "generate_text.py",
    "generate_tokenizers.py",
]


def run(script):
    env = dict(os.environ)
    if script == "generate_tokenizers.py":
        env["PYTHONPATH"] = TOK_REF + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    print(f"=== {script} --check", flush=True)
    start = time.monotonic()
    rc = subprocess.run([sys.executable, os.path.join(HERE, script), "--check"], cwd=ROOT, env=env).returncode
    return rc, time.monotonic() - start


def main():
    words = sys.argv[1:]
    chosen = [s for s in SCRIPTS if not words or any(w in s for w in words)]
    if not chosen:
        sys.exit(f"no script matches {words}; scripts: {', '.join(SCRIPTS)}")
    results = [(script, *run(script)) for script in chosen]
    print("\n=== summary (--check, byte for byte against the stored files)")
    for script, rc, seconds in results:
        print(f"{'ok' if rc == 0 else 'FAILED (exit ' + str(rc) + ')':16s} {seconds:7.1f} s  reference-data/{script}")
    failed = [script for script, rc, _ in results if rc != 0]
    print(f"{len(results) - len(failed)} of {len(results)} passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
