"""The CLI's outer guard: argument errors as coded refusals, bounded arguments, safe output.

* Argument errors (bad option values, missing arguments, unknown options) are refusals
  with the code ``G1_BAD_ARGUMENT``, as JSON with ``--json``, exit status 2.
* Every parsed argument passes the domain's bounds before the command runs: text without
  control or direction characters, integers that fit the database's signed 64 bits.
* Every string shown through Rich is data: escaped (never markup), with control characters
  made visible.
"""

from __future__ import annotations

import copy
import functools
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import fields, is_dataclass
from enum import Enum
from pathlib import PurePath
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer import _click
from typer.core import TyperGroup

from jcm.domain import limits
from jcm.domain.errors import DataCorruption, InvalidInput, JcmError
from jcm.entrypoints.cli.hints import hint_for

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_CORRUPT = 3  # stored data failed its own check: not the caller's fault
EXIT_INTERNAL = 70

_errors = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 200)


def shown(value: Any) -> Any:
    """``value`` with every string escaped for Rich markup and its control characters made
    visible; containers and dataclasses are copied, other values returned as they are."""
    if isinstance(value, Enum) or value is None:
        return value
    if isinstance(value, str):
        return escape(limits.made_visible(value))
    if isinstance(value, dict):
        return {k: shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shown(v) for v in value]
    if isinstance(value, tuple):
        return tuple(shown(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        copied = copy.copy(value)
        for item in fields(value):
            object.__setattr__(copied, item.name, shown(getattr(value, item.name)))
        return copied
    return value


def json_text(value: Any) -> str:
    # JSON escapes control characters itself; direction marks are escaped too, so a stored
    # string cannot reorder what a terminal shows.
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return "".join(
        f"\\u{ord(c):04x}" if ord(c) > 0x7F and limits.is_forbidden(c) else c for c in text
    )


def report_refusal(error: JcmError, as_json: bool) -> int:
    """Show a refusal (with this console's hint, if any); the exit status it calls for."""
    hint = hint_for(error.code, error.details)
    if as_json:
        body = error.to_dict() | ({"hint": hint} if hint else {})
        sys.stdout.write(json_text({"error": body}) + "\n")
    else:
        _errors.print(f"[bold red]error[{error.code}][/]: {shown(error.message)}", soft_wrap=True)
        if hint:
            _errors.print(f"hint: {limits.made_visible(hint)}", soft_wrap=True, markup=False)
    return EXIT_CORRUPT if isinstance(error, DataCorruption) else EXIT_REFUSED


def usage_refusal(error: _click.exceptions.ClickException) -> InvalidInput:
    details: dict[str, Any] = {}
    param = getattr(error, "param", None)
    if param is not None and getattr(param, "name", None):
        details["parameter"] = param.name
    message = error.format_message()
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        details["usage"] = ctx.get_usage()
        message += f" (see {ctx.command_path} --help)"
    return InvalidInput("G1_BAD_ARGUMENT", message, **details)


# -- arguments ---------------------------------------------------------------------------------


def _check_argument(label: str, value: Any) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, str):
        limits.check_text(value, label, max_length=limits.MAX_ARGUMENT_LENGTH)
    elif isinstance(value, PurePath):
        limits.check_path(str(value), label)
    elif isinstance(value, int):
        limits.check_int(value, label)
    elif isinstance(value, list | tuple):
        limits.check_count(len(value), label)
        for item in value:
            _check_argument(label, item)


def _guarded(callback: Callable[..., Any], labels: dict[str, str]) -> Callable[..., Any]:
    if getattr(callback, "_jcm_guarded", False):
        return callback

    @functools.wraps(callback)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        for name, value in kwargs.items():
            _check_argument(labels.get(name, name), value)
        return callback(*args, **kwargs)

    guarded._jcm_guarded = True  # type: ignore[attr-defined]
    return guarded


def guard_commands(command: _click.Command) -> None:
    """Wrap every command's callback (groups included) with the argument bounds."""
    if command.callback is not None:
        labels = {
            p.name: max(p.opts, key=len) if p.opts and p.opts[0].startswith("-") else p.name.upper()
            for p in command.params
            if p.name
        }
        command.callback = _guarded(command.callback, labels)
    for sub in getattr(command, "commands", {}).values():
        guard_commands(sub)


class GuardedGroup(TyperGroup):
    """The root command: runs non-standalone so that it, not click, reports errors."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        as_json = "--json" in argv
        guard_commands(self)
        try:
            code = super().main(
                args=argv,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        except _click.exceptions.NoArgsIsHelpError as error:
            error.show()
            code = EXIT_USAGE
        except _click.exceptions.ClickException as error:
            report_refusal(usage_refusal(error), as_json)
            code = EXIT_USAGE
        except typer.Abort:
            _errors.print("aborted")
            code = EXIT_REFUSED
        except JcmError as error:  # an argument out of bounds (the guard above)
            code = report_refusal(error, as_json)
        status = code if isinstance(code, int) else 0
        if not standalone_mode:
            return status
        sys.exit(status)
