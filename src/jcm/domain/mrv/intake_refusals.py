"""The refusals of batch intake (besides the wire format's ``D4``/``D5`` in ``batches``).

Each names the device, the batch's sequence number and the rule (``device=``, ``seq=``,
``rule=``), so that a refusal recorded from any channel says which batch and why.
"""

from __future__ import annotations

from jcm.domain.errors import Forbidden, InvalidInput, JcmError, NotFound, RuleViolation
from jcm.domain.mrv.batches import MAX_ENVELOPE_BYTES


def too_large(size: int) -> JcmError:
    return InvalidInput(
        "D5_TOO_LARGE",
        f"An envelope of {size:,} bytes is larger than {MAX_ENVELOPE_BYTES:,} bytes.",
        device=None,
        seq=None,
        rule="D5_TOO_LARGE",
    )


def malformed_json() -> JcmError:
    return InvalidInput(
        "D4_MALFORMED",
        "A batch envelope must be UTF-8 JSON.",
        device=None,
        seq=None,
        rule="D4_MALFORMED",
    )


def unsigned(device: str, seq: int) -> JcmError:
    return InvalidInput(
        "D2_UNSIGNED",
        f"Batch {seq} of {device} carries no signature.",
        device=device,
        seq=seq,
        rule="D2_UNSIGNED",
    )


def unknown_device(device: str, seq: int) -> JcmError:
    return NotFound(
        "D1_UNKNOWN_DEVICE",
        f"Batch {seq} names the device {device}, which is not registered.",
        device=device,
        seq=seq,
        rule="D1_UNKNOWN_DEVICE",
    )


def wrong_device(device: str, seq: int, sender: str) -> JcmError:
    return Forbidden(
        "D6_WRONG_DEVICE",
        f"Batch {seq} of {device} may not arrive from {sender}.",
        device=device,
        seq=seq,
        rule="D6_WRONG_DEVICE",
    )


def bad_signature(device: str, seq: int) -> JcmError:
    return RuleViolation(
        "D2_BAD_SIGNATURE",
        f"The signature of batch {seq} of {device} does not verify with the device's key.",
        device=device,
        seq=seq,
        rule="D2_BAD_SIGNATURE",
    )


def replayed(device: str, seq: int) -> JcmError:
    return RuleViolation(
        "D3_REPLAYED",
        f"Batch {seq} of {device} is already stored with other content; a device never "
        "reuses a sequence number.",
        device=device,
        seq=seq,
        rule="D3_REPLAYED",
    )


def malformed_file(message: str) -> JcmError:
    return InvalidInput("D4_MALFORMED", message, device=None, seq=None, rule="D4_MALFORMED")
