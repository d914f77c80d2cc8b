"""C2SP tlog checkpoints: the signed note body that names a log, its size and its root
hash (https://c2sp.org/tlog-checkpoint), parsed and opened on top of ``signed_note``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jcm.domain.transparency.signed_note import (
    _DECIMAL,
    _MAX_TREE_SIZE,
    _ROOT_HASH_SIZE,
    MalformedCheckpoint,
    Verifier,
    _b64decode,
    _b64encode,
    _text_problem,
    open_note,
)

# -- checkpoints ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A tlog checkpoint: origin, tree size, root hash, optional extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "extensions", tuple(self.extensions))
        if not isinstance(self.origin, str) or not self.origin:
            raise MalformedCheckpoint("the checkpoint origin is empty")
        problem = _line_problem(self.origin, "the checkpoint origin")
        if problem:
            raise MalformedCheckpoint(problem)
        if (
            not isinstance(self.size, int)
            or isinstance(self.size, bool)
            or not 0 <= self.size <= _MAX_TREE_SIZE
        ):
            raise MalformedCheckpoint(
                f"the checkpoint tree size must be an integer in [0, 2^64); got {self.size!r}"
            )
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != _ROOT_HASH_SIZE:
            raise MalformedCheckpoint(
                f"the checkpoint root hash must be {_ROOT_HASH_SIZE} bytes; got {self.root_hash!r}"
            )
        for number, line in enumerate(self.extensions, start=1):
            if not isinstance(line, str) or not line:
                raise MalformedCheckpoint(f"checkpoint extension line {number} is empty")
            problem = _line_problem(line, f"checkpoint extension line {number}")
            if problem:
                raise MalformedCheckpoint(problem)

    def body(self) -> str:
        """The note text: origin, size, base64 root hash, extension lines, each + newline."""
        lines = [self.origin, str(self.size), _b64encode(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Parse a checkpoint note text, refusing (:class:`MalformedCheckpoint`) a missing
        final newline, fewer than three lines, an empty origin, a size that is not plain
        ASCII decimal without leading zeros, a root hash that is not base64 of 32 bytes and
        empty extension lines."""
        if not isinstance(body, str):
            raise MalformedCheckpoint(f"a checkpoint is text; got {type(body).__name__}")
        if not body.endswith("\n"):
            raise MalformedCheckpoint("the checkpoint does not end with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise MalformedCheckpoint(
                f"a checkpoint has at least 3 lines (origin, size, root hash); got {len(lines)}"
            )
        origin, size_text, root_text, *extensions = lines
        if not origin:
            raise MalformedCheckpoint("the checkpoint origin (line 1) is empty")
        if not _DECIMAL.fullmatch(size_text):
            raise MalformedCheckpoint(
                "the checkpoint tree size (line 2) is not a decimal number without leading "
                f"zeros: {size_text!r}"
            )
        size = int(size_text)
        if size > _MAX_TREE_SIZE:
            raise MalformedCheckpoint(f"the checkpoint tree size {size} is above 2^64 - 1")
        root = _b64decode(root_text)
        if root is None:
            raise MalformedCheckpoint(
                f"the checkpoint root hash (line 3) is not valid base64: {root_text!r}"
            )
        if len(root) != _ROOT_HASH_SIZE:
            raise MalformedCheckpoint(
                f"the checkpoint root hash (line 3) is {len(root)} bytes; "
                f"expected {_ROOT_HASH_SIZE}"
            )
        for number, line in enumerate(extensions, start=4):
            if not line:
                raise MalformedCheckpoint(f"checkpoint line {number} (an extension) is empty")
        return cls(origin, size, root, tuple(extensions))


def _line_problem(line: str, what: str) -> str | None:
    if "\n" in line:
        return f"{what} contains a newline"
    return _text_problem(line, what)


def open_checkpoint(
    message: str | bytes, verifiers: Sequence[Verifier], *, origin: str | None = None
) -> Checkpoint:
    """Verify a signed checkpoint and parse its body; with ``origin``, refuse another log's.

    Raises :class:`MalformedNote` or a subclass (including :class:`MalformedCheckpoint`).
    """
    opened = open_note(message, verifiers)
    checkpoint = Checkpoint.parse(opened.text)
    if origin is not None and checkpoint.origin != origin:
        raise MalformedCheckpoint(
            f"the checkpoint is from {checkpoint.origin!r}, not from {origin!r}"
        )
    return checkpoint
