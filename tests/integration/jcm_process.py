"""Running the real `jcm` command in a separate process (for crash and permission tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CRASHED = 86  # jcm.adapters.files.CRASH_EXIT_STATUS
_LAUNCH = "from jcm.entrypoints.cli import main; main()"


@dataclass(frozen=True)
class Done:
    code: int
    stdout: str
    stderr: str


def jcm_process(
    *args: str,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    umask: int | None = None,
    timeout: float = 60,
) -> Done:
    """``jcm ARGS`` in a fresh interpreter; ``JCM_CRASH_AT`` etc. come in ``env``."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("JCM_") or k == "JCM_TEST_BACKENDS"
    }
    environment.update(env or {})

    command = [sys.executable, "-c", _LAUNCH, *args]
    if umask is not None:  # through the shell: no preexec_fn in a threaded test runner
        command = ["sh", "-c", f'umask {umask:03o} && exec "$@"', "sh", *command]
    done = subprocess.run(
        command,
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Done(done.returncode, done.stdout, done.stderr)
