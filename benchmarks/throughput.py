"""Words per second of ``newsfacts extract --batch`` and of quantulum3 on the same news bodies.

Run from the repository root::

    python -m benchmarks.throughput               # bodies of ../shared/html_bench/ground_truth.jsonl
    python -m benchmarks.throughput --repeat 3    # best of 3 runs each
    python -m benchmarks.throughput --json out.json

Each extractor runs in its own child process under a small wrapper that reports the wall time
and the peak memory of that run. Peak memory is measured the same way for every row: the wrapper
samples, every 50 ms, the resident set (``VmRSS`` in ``/proc/<pid>/status``) of the child and of
all its descendants (found through ``/proc/<pid>/task/*/children``, or by parent pid in
``/proc/*/stat`` where the kernel has no such file) and keeps the peak of the sum. So the
``--processes 2`` row counts its workers and the process that forks them; pages those processes
share (the model loaded before the fork) are counted once per process, so that row overstates
its real footprint somewhat. A peak shorter than one sampling interval can be missed. The wall
time includes start-up (imports, loading the spaCy model); a run over an empty input measures
that start-up, and the table also gives the rate without it. Ours runs twice: in one process,
and with ``--processes 2`` (a spaCy pipeline per worker process); an empty run starts no worker,
so that row has no start-up figure. When the ``newsfacts`` command has no ``extract --batch``
yet, ours runs through the Python API ``extract_many`` instead, and the output says so. Timings
on a shared 2-core machine are noisy: compare within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "html_bench" / "ground_truth.jsonl"
PARALLEL_PROCESSES = 2  # this machine's cores
PARALLEL = f"ours, {PARALLEL_PROCESSES} processes"

# Runs the command in argv[1:] with stdout discarded; prints its wall time and the peak of the
# summed resident memory of the command's process tree, sampled every 50 ms.
_WRAPPER = """
import json, os, subprocess, sys, threading, time

def children(pid):
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
        found = []
        for task in tasks:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(c) for c in handle.read().split()]
        return found
    except FileNotFoundError:  # no children file: find them by parent pid
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as handle:
                        stat = handle.read()
                except OSError:
                    continue
                if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                    found.append(int(entry))
        return found
    except OSError:
        return []

def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

def tree_rss_kib(root):
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss_kib(pid)
        todo += children(pid)
    return total

peak = [0]
done = threading.Event()
def sample(pid):
    while not done.is_set():
        peak[0] = max(peak[0], tree_rss_kib(pid))
        done.wait(0.05)

began = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
sampler = threading.Thread(target=sample, args=(child.pid,), daemon=True)
sampler.start()
_, stderr = child.communicate()
seconds = time.perf_counter() - began
done.set()
sampler.join()
print(json.dumps({"seconds": seconds, "peak_kib": peak[0], "code": child.returncode,
                  "stderr": stderr[-2000:]}))
"""

# Our Python API over a batch file, used when the CLI has no `extract --batch`.
_OURS_API = """
import json, sys
from datetime import date
from extractors import extract_many
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
items = ((r["text"], date.fromisoformat(r["published"]) if r.get("published") else None)
         for r in rows)
for row, figures in zip(rows, extract_many(items)):
    print(json.dumps({"id": row["id"], "figures": [f.to_dict() for f in figures]}))
"""

_QUANTULUM3 = """
import json, sys, warnings
warnings.simplefilter("ignore")
from quantulum3 import parser
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        row = json.loads(line)
        quantities = parser.parse(row["text"])
        print(json.dumps({"id": row["id"], "figures": [q.surface for q in quantities]}))
"""


def load_bodies(path: Path = BENCH) -> list[dict[str, Any]]:
    """Return the benchmark documents as batch rows {"id", "text", "published"}."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            doc = json.loads(line)
            rows.append({"id": doc["id"], "text": doc["body"], "published": None})
    return rows


def cli_has_batch() -> str | None:
    """Return the path of a ``newsfacts`` command that has ``extract --batch``, or None."""
    exe = shutil.which("newsfacts") or str(Path(sys.executable).with_name("newsfacts"))
    if not Path(exe).exists():
        return None
    try:
        done = subprocess.run(
            [exe, "extract", "--help"], capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return exe if done.returncode == 0 and "--batch" in done.stdout else None


def cli_has_processes(exe: str) -> bool:
    """Return True when ``newsfacts extract`` takes ``--processes``."""
    done = subprocess.run(
        [exe, "extract", "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    return "--processes" in done.stdout


def measure(command: list[str]) -> dict[str, Any]:
    """Run ``command`` under the wrapper; return seconds, peak tree memory (KiB), exit code."""
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrapper failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        raise RuntimeError(f"{command[:3]} exited {result['code']}: {result['stderr']}")
    return result


def run(rows: Sequence[dict[str, Any]], repeat: int = 1) -> dict[str, Any]:
    """Measure ours and quantulum3 over ``rows``; return a JSON-ready report."""
    words = sum(len(r["text"].split()) for r in rows)
    exe = cli_has_batch()
    with tempfile.TemporaryDirectory(prefix="newsfacts-throughput-") as tmp:
        batch, empty = Path(tmp) / "batch.jsonl", Path(tmp) / "empty.jsonl"
        batch.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        empty.write_text("", encoding="utf-8")
        if exe:
            ours_cmd, ours_how = [exe, "extract", "--batch"], "newsfacts extract --batch"
        else:
            ours_cmd = [sys.executable, "-c", _OURS_API]
            ours_how = "Python API extract_many (the CLI has no `extract --batch` yet)"
        commands = {"ours": ours_cmd}
        if exe and cli_has_processes(exe):
            # the same extraction on both cores (one spaCy pipeline per worker process)
            commands[PARALLEL] = [exe, "extract", "--processes", str(PARALLEL_PROCESSES), "--batch"]
        commands["quantulum3"] = [sys.executable, "-c", _QUANTULUM3]
        report: dict[str, Any] = {
            "documents": len(rows),
            "words": words,
            "ours_via": ours_how,
            "runs": repeat,
        }
        for name, command in commands.items():
            runs = [measure([*command, str(batch)]) for _ in range(repeat)]
            best = min(runs, key=lambda r: r["seconds"])
            report[name] = {
                "seconds": round(best["seconds"], 2),
                "words_per_second": round(words / best["seconds"]),
            }
            # the same sampled process-tree peak for every row, workers included
            report[name]["peak_memory_mib"] = round(max(r["peak_kib"] for r in runs) / 1024, 1)
            if name == PARALLEL:
                # an empty run starts no worker: its start-up would not be this row's
                report[name].update(startup_seconds=None, words_per_second_after_startup=None)
                continue
            startup = min(measure([*command, str(empty)])["seconds"] for _ in range(repeat))
            report[name].update(
                startup_seconds=round(startup, 2),
                words_per_second_after_startup=round(words / max(best["seconds"] - startup, 1e-9)),
            )
    ours, peer = report["ours"], report["quantulum3"]
    report["ratio"] = round(ours["words_per_second"] / peer["words_per_second"], 2)
    report["ratio_after_startup"] = round(
        ours["words_per_second_after_startup"] / peer["words_per_second_after_startup"], 2
    )
    if PARALLEL in report:
        report["ratio_parallel"] = round(
            report[PARALLEL]["words_per_second"] / peer["words_per_second"], 2
        )
    return report


def format_report(report: dict[str, Any]) -> str:
    """Return the report as a Markdown table with a one-line header."""
    header = (
        f"{report['documents']} documents, {report['words']:,} words; ours via "
        f"{report['ours_via']}; best of {report['runs']} run(s)"
    )
    lines = [
        header,
        "",
        "| extractor | seconds | start-up s | words/s | words/s after start-up | peak MiB |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in ("ours", PARALLEL, "quantulum3"):
        if name not in report:
            continue
        r = report[name]
        cells = [
            r["seconds"],
            r["startup_seconds"],
            r["words_per_second"],
            r["words_per_second_after_startup"],
            r["peak_memory_mib"],
        ]
        shown = ["-" if c is None else f"{c:,}" if isinstance(c, int) else str(c) for c in cells]
        lines.append(f"| {name} | " + " | ".join(shown) + " |")
    lines.append("")
    lines.append(
        f"ratio ours / quantulum3, one process: {report['ratio']} "
        f"(after start-up: {report['ratio_after_startup']}; target >= 5)"
    )
    if "ratio_parallel" in report:
        lines.append(
            f"ratio {PARALLEL} / quantulum3: {report['ratio_parallel']} (wall time, start-up "
            "included; each worker holds its own pipeline, like the one-process run)"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the throughput benchmark from the command line; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", type=Path, default=BENCH, help="ground_truth.jsonl")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs")
    parser.add_argument("--limit", type=int, help="only the first N documents")
    parser.add_argument("--json", type=Path, help="write the report as JSON here")
    args = parser.parse_args(argv)
    if not args.bench.is_file():
        print(f"benchmark texts not found at {args.bench}: nothing to measure")
        return 0
    rows = load_bodies(args.bench)[: args.limit]
    report = run(rows, max(1, args.repeat))
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
