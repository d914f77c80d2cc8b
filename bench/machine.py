"""What the benchmark ran on: CPU, memory, OS, library and server versions, git commit."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import time
from pathlib import Path

import psycopg
import sqlalchemy

ROOT = Path(__file__).resolve().parent.parent


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                kib = int(line.split()[1])
                return f"{kib / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _os() -> str:
    pretty = ""
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                pretty = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    kernel = f"{platform.system()} {platform.release()}"
    return f"{pretty} ({kernel})" if pretty else kernel


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def git_commit() -> str:
    commit = _git("rev-parse", "--short=12", "HEAD") or "unknown"
    if _git("status", "--porcelain", "--", "src", "pyproject.toml"):
        commit += " + uncommitted changes in src/"
    return commit


def _cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return total - idle, total


def cpu_busy(interval: float = 1.0) -> float:
    """Fraction of the machine's CPU capacity busy during ``interval`` seconds (0–1).

    Sampled while the benchmark itself is idle, it tells how much else is running."""
    try:
        busy0, total0 = _cpu_times()
        time.sleep(interval)
        busy1, total1 = _cpu_times()
    except (OSError, ValueError, IndexError):
        return float("nan")
    return (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0


def wait_for_idle(max_seconds: float, threshold: float = 0.3) -> tuple[float, float]:
    """Wait (up to ``max_seconds``) until less than ``threshold`` of the CPU is busy.

    Returns (busy fraction last sampled, seconds waited)."""
    began = time.monotonic()
    busy = cpu_busy()
    while busy >= threshold and time.monotonic() - began < max_seconds:
        time.sleep(4.0)
        busy = cpu_busy()
    return busy, time.monotonic() - began


def machine_info(postgres_version: str | None) -> dict[str, str]:
    return {
        "CPU": _cpu_model(),
        "Cores": str(os.cpu_count() or "?"),
        "RAM": _ram(),
        "OS": _os(),
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": postgres_version or "not measured",
        "SQLAlchemy / psycopg": f"{sqlalchemy.__version__} / {psycopg.__version__}",
        "Git commit": git_commit(),
    }
