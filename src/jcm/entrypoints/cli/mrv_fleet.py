"""jcm mrv … commands of this part (registered on the mrv group in cli/mrv.py)."""

from __future__ import annotations

from jcm.entrypoints.cli.mrv import mrv_cli

__all__ = ["mrv_cli"]
