"""Article 6.2 attributes of a unit block and how commands change them (checks T*).

Sources: research ``jcm_rules.md`` §5.3 (first transfer, [I] high confidence) and §5.4
(authorisation by the first-transferring Party, the partner). For NDC use the first
transfer is the first international transfer; for other international mitigation
purposes (OIMP) the authorising Party chooses authorisation, issuance or use.
A corresponding adjustment becomes due at the first transfer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from jcm.domain.errors import Article6RuleViolation, InvalidInput


class AuthorisedUse(StrEnum):
    NDC = "ndc"
    OIMP = "oimp"


class FirstTransferTrigger(StrEnum):
    INTERNATIONAL_TRANSFER = "international_transfer"
    AUTHORISATION = "authorisation"
    ISSUANCE = "issuance"
    USE = "use"


class CaStatus(StrEnum):
    NOT_REQUIRED = "not_required"
    PENDING = "pending"
    APPLIED = "applied"


def parse_uses(text: str) -> frozenset[AuthorisedUse]:
    uses: set[AuthorisedUse] = set()
    for part in text.replace("+", ",").split(","):
        word = part.strip().lower()
        if not word:
            continue
        try:
            uses.add(AuthorisedUse(word))
        except ValueError:
            raise InvalidInput(
                "G1_BAD_USE",
                f"Unknown authorised use {word!r}; use ndc, oimp or both (ndc,oimp).",
                use=word,
            ) from None
    if not uses:
        raise InvalidInput("G1_BAD_USE", "Name at least one authorised use: ndc, oimp.")
    return frozenset(uses)


def parse_trigger(text: str) -> FirstTransferTrigger:
    try:
        return FirstTransferTrigger(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            "G1_BAD_TRIGGER",
            f"Unknown first-transfer definition {text!r}; use "
            + ", ".join(t.value for t in FirstTransferTrigger)
            + ".",
            trigger=text,
        ) from None


def format_uses(uses: frozenset[AuthorisedUse]) -> str:
    return ",".join(sorted(u.value for u in uses))


@dataclass(frozen=True, slots=True)
class Article6:
    """What a unit block carries under Article 6.2."""

    authorised_uses: frozenset[AuthorisedUse] = frozenset()
    authorisation_ref: str | None = None
    first_transfer_trigger: FirstTransferTrigger | None = None
    first_transferred: bool = False
    ca_status: CaStatus = CaStatus.NOT_REQUIRED

    @property
    def authorised(self) -> bool:
        return bool(self.authorised_uses)

    def _first_transfer(self) -> Article6:
        return replace(self, first_transferred=True, ca_status=CaStatus.PENDING)

    def authorise(
        self,
        uses: frozenset[AuthorisedUse],
        reference: str,
        trigger: FirstTransferTrigger,
        *,
        serials: str,
        held_abroad: bool = False,
    ) -> Article6:
        """The host Party's authorisation of these units. ``held_abroad``: the units sit in
        the other registry of the partnership (Japan's), so they already are with the
        acquiring Party and are first-transferred at the authorisation, whatever the
        trigger; an OIMP-only authorisation whose first transfer is their use cannot be
        given for them (T6)."""
        if self.first_transferred:
            raise Article6RuleViolation(
                "T4_ALREADY_FIRST_TRANSFERRED",
                f"Units {serials} were already first-transferred under authorisation "
                f"{self.authorisation_ref}; their authorisation can no longer change.",
                serials=serials,
                authorisation=self.authorisation_ref,
            )
        if AuthorisedUse.NDC in uses and trigger is not FirstTransferTrigger.INTERNATIONAL_TRANSFER:
            raise InvalidInput(
                "T6_BAD_TRIGGER",
                "For units authorised for use towards an NDC the first transfer is the first "
                f"international transfer; {trigger.value!r} is only possible for OIMP-only "
                "authorisations.",
                trigger=trigger.value,
            )
        if held_abroad and trigger is FirstTransferTrigger.USE:
            raise InvalidInput(
                "T6_BAD_TRIGGER",
                f"Units {serials} are held outside their host Party's registry, so they are "
                "first-transferred when authorised; an OIMP authorisation whose first "
                "transfer is their use cannot be given for them (choose authorisation, "
                "issuance or international_transfer).",
                trigger=trigger.value,
                serials=serials,
            )
        updated = replace(
            self, authorised_uses=uses, authorisation_ref=reference, first_transfer_trigger=trigger
        )
        # Units being authorised are already issued, so "first transfer at issuance" takes
        # effect now, like "at authorisation". Units held abroad already sit with the
        # acquiring Party: their first (international) transfer is the authorisation.
        if held_abroad or trigger in (
            FirstTransferTrigger.AUTHORISATION,
            FirstTransferTrigger.ISSUANCE,
        ):
            return updated._first_transfer()
        return updated

    def on_issuance(self) -> Article6:
        if (
            self.authorised
            and not self.first_transferred
            and self.first_transfer_trigger is FirstTransferTrigger.ISSUANCE
        ):
            return self._first_transfer()
        return self

    def on_external_transfer(self, leaving_origin: bool) -> Article6:
        if (
            leaving_origin
            and self.authorised
            and not self.first_transferred
            and self.first_transfer_trigger is FirstTransferTrigger.INTERNATIONAL_TRANSFER
        ):
            return self._first_transfer()
        return self

    def on_use(self) -> Article6:
        if (
            self.authorised
            and not self.first_transferred
            and self.first_transfer_trigger is FirstTransferTrigger.USE
        ):
            return self._first_transfer()
        return self

    def apply_corresponding_adjustment(self, *, serials: str) -> Article6:
        if self.ca_status is not CaStatus.PENDING:
            raise Article6RuleViolation(
                "T3_NO_ADJUSTMENT_DUE",
                f"Units {serials} have corresponding-adjustment status {self.ca_status.value}; "
                "an adjustment can only be recorded for first-transferred units whose "
                "adjustment is pending.",
                serials=serials,
                ca_status=self.ca_status.value,
            )
        return replace(self, ca_status=CaStatus.APPLIED)


NOT_AUTHORISED = Article6()
