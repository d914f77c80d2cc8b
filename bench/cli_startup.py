"""``python -m bench.cli_startup``: how long one ``jcm`` command takes, start to exit.

Every CLI command is a new process: it imports the package, opens the database and checks
its schema before doing its work, so on a small registry the start-up is most of what a
user waits for. Measured, each ``--runs`` times, interleaved so that a noisy machine
affects every case alike:

* the raw ceiling: ``python -c pass`` (the interpreter alone);
* ``jcm --help`` (imports and the command tree, no database);
* ``jcm --json holdings`` on a registry with two registries and a few accounts (imports,
  database, schema check, one query).

``--baseline-src DIR`` measures the same commands with another checkout's ``src`` (e.g.
a ``git worktree`` of an older commit) in the same run, for a before/after comparison.
Medians go to ``docs/benchmarks.md`` (``--no-write``: print only).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.machine import ROOT, git_commit, machine_info
from bench.report import append_markdown

DOCS = ROOT / "docs" / "benchmarks.md"
CLI = "from jcm.entrypoints.cli import main; main()"


@dataclass(frozen=True)
class Case:
    name: str
    argv: tuple[str, ...]
    src: Path | None  # the checkout whose package runs; None for the bare interpreter


def run_once(case: Case, data_dir: Path) -> float:
    env = dict(os.environ, JCM_DATA_DIR=str(data_dir))
    env.pop("JCM_DATABASE_URL", None)
    if case.src is not None:
        env["PYTHONPATH"] = str(case.src)
    began = time.perf_counter()
    done = subprocess.run(case.argv, env=env, capture_output=True, timeout=120, check=False)
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{case.name} failed ({done.returncode}): {done.stderr.decode()[-400:]}")
    return elapsed


def cases(src: Path, label: str) -> list[Case]:
    jcm = (sys.executable, "-c", CLI)
    return [
        Case(f"jcm --help ({label})", (*jcm, "--help"), src),
        Case(f"jcm --json holdings ({label})", (*jcm, "--json", "holdings"), src),
    ]


def prepare(data_dir: Path, src: Path) -> None:
    """Two registries and their accounts, made with this checkout (any newer schema would
    be refused by an older checkout, so the baseline is measured on its own copy)."""
    for registry in ("JP", "KE"):
        run_once(Case("create", (sys.executable, "-c", CLI, "registry", "create", registry), src),
                 data_dir)  # fmt: skip


def measure(all_cases: list[Case], dirs: dict[Path | None, Path], runs: int) -> dict[str, float]:
    times: dict[str, list[float]] = {case.name: [] for case in all_cases}
    for _ in range(runs):
        for case in all_cases:
            times[case.name].append(run_once(case, dirs[case.src]))
    return {name: statistics.median(values) for name, values in times.items()}


def section(medians: dict[str, float], ceiling: str, runs: int) -> str:
    base = medians[ceiling]
    lines = [
        f"## CLI start-up ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `python -m bench.cli_startup`)",
        "",
        f"Each command run {runs} times as a new process, the cases interleaved; medians. "
        "The ceiling is the bare interpreter (`python -c pass`).",
        "",
        "| command | median s | / ceiling |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {value:.3f} | {value / base:.1f}× |" for name, value in medians.items()]
    info = machine_info(None)
    info.pop("PostgreSQL")
    info["Git commit"] = git_commit()
    lines += ["", "Machine: " + "; ".join(f"{k} {v}" for k, v in info.items()), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cli_startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="runs per command (default 15)")
    parser.add_argument("--baseline-src", type=Path, help="another checkout's src directory")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    src = ROOT / "src"
    ceiling = Case("python -c pass (ceiling)", (sys.executable, "-c", "pass"), None)
    all_cases = [ceiling, *cases(src, "this checkout")]
    sources = [src]
    if args.baseline_src is not None:
        all_cases += cases(args.baseline_src.resolve(), "baseline")
        sources.append(args.baseline_src.resolve())
    with tempfile.TemporaryDirectory() as scratch:
        dirs: dict[Path | None, Path] = {None: Path(scratch) / "none"}
        for number, tree in enumerate(sources):
            dirs[tree] = Path(scratch) / f"data-{number}"
            prepare(dirs[tree], tree)
        medians = measure(all_cases, dirs, args.runs)
    text = section(medians, ceiling.name, args.runs)
    print(text)
    if not args.no_write:
        append_markdown(DOCS, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
