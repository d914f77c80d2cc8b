"""Summaries of the worker results: the Rich table, the target checks, the Markdown section."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.table import Table

Result = dict[str, Any]

INTRO = """\
# Benchmarks

Produced by `.venv/bin/python -m bench` (see `bench/`); every run appends a dated section
below. Options: `--sizes 1000,100000,1000000 --backends sqlite,postgresql --rounds 3`,
`--quick` (about a minute), `--profile` (cProfile and SQL statement census of the transfer
paths, written to `bench/results/`), `--wait-idle SECONDS` (wait for other processes to
quiet down before each configuration), `--no-write` (print only).

How it measures:

* **Databases.** SQLite: a file in a temporary directory with the project's engine
  configuration (`jcm.adapters.database.make_engine`: WAL, `synchronous=NORMAL`,
  `BEGIN IMMEDIATE`). PostgreSQL: the local server (`scripts/start-postgres`), a fresh
  schema per round reached through `?options=-csearch_path%3D<schema>`, dropped
  afterwards. Server settings are the distribution defaults (`fsync=on`,
  `synchronous_commit=on`).
* **Ledger.** Registries JP and KE through the service; then (`bench/loader.py`) 100
  organisations, 1,000 entity holding accounts in JP and 1,000 JC decisions (projects
  KE000–KE099), each fully issued (decision lines marked issued, one issuance transaction
  with its serial range and event), written through the ledger port in one unit of work;
  and the decisions' units as blocks of 10 units spread round-robin over the accounts,
  streamed into `unit_blocks` (`COPY` on PostgreSQL, `executemany` on SQLite). "Blocks" is
  the number of unit blocks at the start (each account holds blocks/1,000 of them).
  `app.registry.audit()` must pass after loading and after the workload at the smallest
  size. After loading: `VACUUM ANALYZE` (PostgreSQL), `PRAGMA optimize` and a WAL
  checkpoint (SQLite; on SQLite 3.40 `optimize` on a fresh connection analyses nothing,
  and the hot queries use `ix_unit_blocks_holding_order` without statistics, checked
  with `EXPLAIN QUERY PLAN`). The loader runs in a child process, so its memory is not
  counted.
* **Workloads,** through `app.registry` only. Every round starts from a freshly loaded
  ledger (a new database or schema), warms up (200 transfers, one batch of 200), then
  runs the same seeded operations: (a) single transfers, each
  `app.registry.transfer(Move(src, dst, quantity=q))` in its own committed transaction,
  random source with enough units and random other destination among the 1,000 entity
  accounts, q uniform in 1–10 (most transfers carve a block, some take two): up to 3,000
  transfers or 8 s, with per-call latency; (b) the same traffic in
  `app.registry.batch(...)` calls of 1,000 transfers, one transaction per batch, up to 5
  batches or 10 s (time inside `batch` only); (c) issuance of 1,000 decisions: record a
  decision (50 units to a random JP entity account, 50 to KE-GOV-0001) and issue both
  sides, three committed transactions per decision, reported as decisions/s; (d) peak RSS
  (`ru_maxrss`) of the measuring process, one process per configuration (the loader runs
  in a child process and is not counted).
* **Statistics.** Medians over the rounds (3 by default; min–max in the details). The
  machine is shared and noisy, so compare medians and ratios, not single rounds. Rounds
  start from the same state so that they differ only by noise: within a round, transfers
  fragment the holdings (taking the lowest serials first leaves small pieces), so the
  blocks moved per transfer grow from about 1.4 to 4 over ~40,000 transfers; the column
  "Blocks moved/tx" shows it.
* **Transparency log** on, as in production; `--log off` measures without it (the
  `Settings.transparency_log` switch exists for this only).
* **Profiling:** `python -m bench --profile [--backends sqlite] [--profile-size N]` runs
  1,000 single transfers and 3 batches under cProfile with a statement census taken on
  the driver, and writes `bench/results/profile-*.prof` and `.txt`.
"""

METRICS: tuple[tuple[str, str, str], ...] = (
    ("single_per_s", "Single tx/s", "{:,.0f}"),
    ("p50_ms", "p50 ms", "{:.2f}"),
    ("p99_ms", "p99 ms", "{:.2f}"),
    ("batched_per_s", "Batched tx/s", "{:,.0f}"),
    ("decisions_per_s", "Issuance dec/s", "{:,.0f}"),
)


@dataclass(frozen=True)
class Check:
    target: str
    value: str
    met: bool | None  # None: not measured in this run


def _fmt(fmt: str, value: float) -> str:
    return fmt.format(value)


def _spread(result: Result, key: str, fmt: str) -> str:
    values = [r[key] for r in result["rounds"]]
    median = _fmt(fmt, statistics.median(values))
    if len(values) < 2:
        return median
    return f"{median} ({_fmt(fmt, min(values))}–{_fmt(fmt, max(values))})"


def _label(result: Result) -> str:
    if result.get("config", {}).get("transparency_log", True):
        return str(result["backend"])
    return f"{result['backend']} (log off)"


def _rows(results: Sequence[Result]) -> list[list[str]]:
    rows = []
    for r in results:
        if "error" in r:
            rows.append(
                [r["backend"], f"{r['size']:,}", f"FAILED: {r['error']}"]
                + [""] * (len(HEADERS) - 3)
            )
            continue
        rows.append(
            [
                _label(r),
                f"{r['size']:,}",
                *(_fmt(fmt, r["median"][key]) for key, _, fmt in METRICS),
                f"{r['median']['single_ranges_per_tx']:.1f} / "
                f"{r['median']['batched_ranges_per_tx']:.1f}",
                f"{r['statements']['single']:.1f} / {r['statements']['batch']:.0f}",
                f"{r['peak_rss_mib']:.0f}",
                f"{r['load_seconds']:.1f}",
                f"{r['blocks_after']:,}",
                f"{r.get('cpu_busy_before', float('nan')):.0%}",
            ]
        )
    return rows


HEADERS = [
    "Backend",
    "Blocks",
    *(label for _, label, _ in METRICS),
    "Blocks moved/tx",
    "SQL stmts",
    "Peak RSS MiB",
    "Load s",
    "Blocks after",
    "Other CPU",
]


def rich_table(results: Sequence[Result], title: str) -> Table:
    table = Table(title=title)
    for i, header in enumerate(HEADERS):
        table.add_column(header, justify="left" if i == 0 else "right")
    for row in _rows(results):
        table.add_row(*row[: len(HEADERS)])
    return table


def _ok(result: Result) -> bool:
    return "error" not in result and bool(result.get("rounds"))


def checks(results: Sequence[Result]) -> list[Check]:
    good = [r for r in results if _ok(r)]
    found: list[Check] = []

    def threshold(backend: str, key: str, minimum: float, label: str) -> None:
        mine = [r for r in good if r["backend"] == backend]
        if not mine:
            found.append(Check(label, "not measured", None))
            return
        values = ", ".join(
            f"{r['median'][key]:,.0f} at {r['size']:,}"
            for r in sorted(mine, key=lambda r: r["size"])
        )
        found.append(Check(label, values, all(r["median"][key] >= minimum for r in mine)))

    threshold("sqlite", "single_per_s", 2000, "SQLite: ≥ 2,000 committed single transfers/s")
    threshold("sqlite", "batched_per_s", 20000, "SQLite: ≥ 20,000 transfers/s in batches of 1,000")
    threshold("postgresql", "single_per_s", 1000, "PostgreSQL: ≥ 1,000 single transfers/s")
    for backend in ("sqlite", "postgresql"):
        mine = {r["size"]: r for r in good if r["backend"] == backend}
        for key, label in (("single_per_s", "single"), ("batched_per_s", "batched")):
            name = f"{backend}: {label} throughput at 10^6 blocks ≥ ½ × at 10^3"
            if 1000 not in mine or 1_000_000 not in mine:
                found.append(Check(name, "not measured", None))
                continue
            small, large = mine[1000]["median"][key], mine[1_000_000]["median"][key]
            ratio = large / small if small else 0.0
            found.append(Check(name, f"{large:,.0f} / {small:,.0f} = {ratio:.2f}", ratio >= 0.5))
    return found


def ratio_lines(results: Sequence[Result]) -> list[str]:
    """Throughput at each size relative to the smallest size, per backend."""
    lines = []
    for backend in sorted({r["backend"] for r in results if _ok(r)}):
        mine = sorted(
            (r for r in results if _ok(r) and r["backend"] == backend), key=lambda r: r["size"]
        )
        if len(mine) < 2:
            continue
        base = mine[0]
        parts = []
        for r in mine[1:]:
            ratios = ", ".join(
                f"{label} {r['median'][key] / base['median'][key]:.2f}"
                for key, label in (
                    ("single_per_s", "single"),
                    ("batched_per_s", "batched"),
                    ("decisions_per_s", "issuance"),
                )
                if base["median"][key]
            )
            parts.append(f"{r['size']:,}: {ratios}")
        lines.append(f"{backend}, relative to {base['size']:,} blocks — " + "; ".join(parts))
    return lines + ceiling_lines(results)


def ceiling_lines(results: Sequence[Result]) -> list[str]:
    """Single transfers as a share of the raw ceiling (bare one-row commits per second on the
    same driver and durability settings, measured in the same run)."""
    lines = []
    for backend in sorted({r["backend"] for r in results if _ok(r)}):
        mine = [r for r in results if _ok(r) and r["backend"] == backend]
        ceiling = mine[0].get("raw_commits_per_s") if mine else None
        if not ceiling:
            continue
        shares = ", ".join(
            f"{r['size']:,}: {r['median']['single_per_s'] / ceiling:.2f}"
            for r in sorted(mine, key=lambda r: r["size"])
        )
        lines.append(
            f"{backend}: raw ceiling {ceiling:,.0f} one-row commits/s; single transfers ÷ "
            f"ceiling — {shares}"
        )
    return lines


def _rounds(results: Sequence[Result]) -> str:
    counts = sorted({len(r["rounds"]) for r in results if _ok(r)})
    return "/".join(str(c) for c in counts) or "0"


def _md_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, numeric: bool = True
) -> str:
    aligns = ["---"] + ["---:" if numeric else "---"] * (len(headers) - 1)
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join(aligns) + " |"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


def markdown_section(
    results: Sequence[Result],
    machine: dict[str, str],
    command: str,
    started: datetime,
    elapsed: float,
    notes: Sequence[str] = (),
) -> str:
    parts = [
        f"## {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"`{command}` — {elapsed / 60:.1f} min",
        "",
        _md_table(["Machine", ""], [[k, v] for k, v in machine.items()], numeric=False),
        "",
        f"Medians over {_rounds(results)} round(s). Blocks moved/tx: serial ranges per "
        "transfer (single / batched), which grows as transfers fragment the holdings. "
        "Other CPU: share of the machine's CPU busy with other work in the second before "
        "the configuration started (the machine is shared). SQL stmts: statements sent "
        "per single transfer / per batch of 1,000 (counted on the driver after the timed "
        "rounds; BEGIN/COMMIT counted on SQLite, the connection pool's ping on "
        "PostgreSQL).",
        "",
        _md_table(HEADERS, [row[: len(HEADERS)] for row in _rows(results)]),
        "",
    ]
    ratios = ratio_lines(results)
    if ratios:
        parts += ["Throughput ratios (median ÷ median):", ""]
        parts += [f"* {line}" for line in ratios]
        parts.append("")
    parts += ["Targets:", ""]
    for check in checks(results):
        if check.met is None:
            parts.append(f"* {check.target}: not measured")
            continue
        mark = "met" if check.met else "**not met**"
        parts.append(f"* {check.target}: {check.value} — {mark}")
    parts.append("")
    good = [r for r in results if _ok(r)]
    if any(len(r["rounds"]) > 1 for r in good):
        spread_rows = [
            [r["backend"], f"{r['size']:,}", *(_spread(r, key, fmt) for key, _, fmt in METRICS)]
            for r in good
        ]
        parts += [
            "<details><summary>Median (min–max) over rounds</summary>",
            "",
            _md_table(["Backend", "Blocks", *(label for _, label, _ in METRICS)], spread_rows),
            "",
            "</details>",
            "",
        ]
    audits = [
        f"{r['backend']} {r['size']:,}: "
        + ", ".join(f"{a['when']} ok (issued {a['issued']:,})" for a in r["audits"])
        for r in good
        if r.get("audits")
    ]
    if audits:
        parts += ["Audit: " + "; ".join(audits) + ".", ""]
    parts += [f"{note}" for note in notes]
    if notes:
        parts.append("")
    return "\n".join(parts)


def append_markdown(path: Path, section: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if not existing.startswith(INTRO.splitlines()[0]):
        # Other benchmarks (bench/transparency.py) append here too; keep their sections.
        path.write_text(INTRO + ("\n" + existing.lstrip("\n") if existing.strip() else ""))
    with path.open("a", encoding="utf-8") as out:
        out.write("\n" + section)
