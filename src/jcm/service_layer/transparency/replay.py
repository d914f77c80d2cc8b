"""Rebuilding the registry's state from its log entries alone.

Replay applies each entry's change with the same domain rules the handlers used (serial
ranges, Article 6 transitions), and builds every stored row the entry determines, column by
column, with the entry's time as the row's ``created_at``. Rows that only grow with the log
(transactions and their serial ranges) are not kept: each is handed to ``on_transaction``
as it is replayed, so that verify compares it at once and memory stays bounded by the live
state (registries, accounts, decisions, unit holdings). :mod:`.registry_check` compares.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jcm.domain.identity.principal import principal_of_attribution
from jcm.domain.registry.article6 import Article6, FirstTransferTrigger, parse_uses
from jcm.domain.registry.issuance import DecisionStatus, IssuanceDecision, MonitoringPeriod
from jcm.domain.registry.serials import SerialRange
from jcm.domain.transparency.log_entries import entry_actor
from jcm.service_layer.cycle.replay import CycleReplayer, CycleReplayError
from jcm.service_layer.transparency.aef_register_replay import RegisterReplay
from jcm.service_layer.transparency.aef_report_replay import SubmissionReplay
from jcm.service_layer.transparency.attribution import AttributionError, check_entry
from jcm.service_layer.transparency.divergence import Divergence
from jcm.service_layer.transparency.mrv_intake_replay import IntakeReplay
from jcm.service_layer.transparency.mrv_qa_replay import QaReplay
from jcm.service_layer.transparency.mrv_replay import DeviceReplay
from jcm.service_layer.transparency.mrv_verification_replay import VerificationReplay
from jcm.service_layer.transparency.portfolio_replay import PortfolioReplay

__all__ = [
    "AttributionError",
    "Divergence",
    "ExpectedTransaction",
    "MisattributedEntry",
    "ReplayError",
    "ReplayState",
    "Replayer",
]


@dataclass(frozen=True)
class ExpectedTransaction:
    """A transaction row and its serial ranges as the log gives them."""

    index: int
    id: int
    row: dict[str, Any]  # the transactions columns but id
    ranges: list[tuple[int, int, int]]  # (decision_id, serial_start, serial_end), in order


@dataclass
class _Run:
    start: int
    end: int
    account: str
    registry: str
    origin: str
    article6: Article6
    touched: int  # log index of the last change


@dataclass
class ReplayState:
    """The stored rows the log determines, by table and key, column by column."""

    registries: dict[str, dict[str, Any]] = field(default_factory=dict)
    organisations: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    decisions: dict[int, dict[str, Any]] = field(default_factory=dict)
    lines: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    runs: dict[int, list[_Run]] = field(default_factory=dict)
    # Parallel to `runs`: each run's start, so bisect compares plain ints.
    starts: dict[int, list[int]] = field(default_factory=dict)
    touched: dict[str, int] = field(default_factory=dict)


class ReplayError(Exception):
    """An entry cannot be applied to the state the earlier entries built."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(f"entry {index}: {message}")
        self.index = index


class MisattributedEntry(ReplayError):
    """An entry attributed to an organisation that may not take its step (see
    :mod:`.attribution`): ``expected`` what the rules need, ``found`` the logged actor."""

    def __init__(self, index: int, error: AttributionError) -> None:
        super().__init__(index, str(error))
        self.subject = error.subject
        self.expected = error.expected
        self.found = error.found


def _range_of(serials: str | None) -> tuple[int | None, int | None]:
    if not serials:
        return None, None
    parsed = SerialRange.parse(serials)
    return parsed.start, parsed.end


def _ignore(_: ExpectedTransaction) -> None:
    return None


class Replayer:
    def __init__(self, on_transaction: Callable[[ExpectedTransaction], None] = _ignore) -> None:
        self.state = ReplayState()
        self.cycle = CycleReplayer(self._decisions_of)
        self.portfolio = PortfolioReplay()
        self.devices = DeviceReplay()
        self.mrv_verifications = VerificationReplay()
        self.mrv_qa = QaReplay()
        self.mrv_intake = IntakeReplay(self.devices.devices.get)
        self.aef_register = RegisterReplay()
        self.aef_submissions = SubmissionReplay()  # reports branch (issue 12)
        self.on_transaction = on_transaction
        self.now = datetime.min  # the time of the entry being applied

    def _decisions_of(self, project_id: str) -> list[IssuanceDecision]:
        """The JC decisions the log has recorded so far for a project (the I3 check)."""
        return [
            IssuanceDecision(
                decision_id,
                d["project_id"],
                MonitoringPeriod(d["period_start"], d["period_end"]),
                d["vintage"],
                d["period_seq"],
                d["amount"],
                DecisionStatus(d["status"]),
                d["reference"],
            )
            for decision_id, d in self.state.decisions.items()
            if d["project_id"] == project_id
        ]

    def apply(self, index: int, entry: dict[str, Any]) -> None:
        kind = entry.get("type")
        change = entry.get("change")
        if not isinstance(change, dict):
            raise ReplayError(index, "the entry has no change object")
        try:
            self.now = datetime.fromisoformat(entry["timestamp"])
        except (KeyError, TypeError, ValueError):
            raise ReplayError(index, "the entry has no valid timestamp") from None
        self._check_attribution(index, kind, change, entry)
        if isinstance(kind, str) and self.cycle.handles(kind):
            try:
                self._register_of(index, kind, change)
                self.cycle.apply(index, kind, change, self.now)
            except CycleReplayError as error:
                raise ReplayError(index, str(error)) from None
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                raise ReplayError(index, f"{kind} entry cannot be applied: {error!r}") from None
            return
        parts = (
            self.portfolio,
            self.devices,
            self.mrv_verifications,
            self.mrv_qa,
            self.mrv_intake,
            self.aef_register,
            self.aef_submissions,
        )
        for part in parts:
            if part.handles(kind):
                try:
                    part.apply(index, str(kind), change, self.now)
                except (KeyError, TypeError, ValueError) as error:
                    raise ReplayError(index, f"{kind} entry cannot be applied: {error!r}") from None
                return
        handler = getattr(self, f"_on_{kind}", None)
        if handler is None:
            raise ReplayError(index, f"unknown entry type {kind!r}")
        try:
            handler(index, change)
        except (KeyError, TypeError, ValueError) as error:
            raise ReplayError(index, f"{kind} entry cannot be applied: {error!r}") from None

    def _check_attribution(
        self, index: int, kind: Any, change: dict[str, Any], entry: dict[str, Any]
    ) -> None:
        """The entry's actor, if any, may take its step at this point of the log."""
        try:
            actor = entry_actor(entry)
            if actor is None or not isinstance(kind, str):
                return
            principal = principal_of_attribution(actor)
            check_entry(
                kind,
                change,
                principal,
                self.state.accounts,
                self.cycle.state,
                hosts=self._hosts_of,
            )
        except AttributionError as error:
            raise MisattributedEntry(index, error) from None
        except (KeyError, TypeError, ValueError) as error:
            raise ReplayError(index, f"{kind} entry's actor cannot be judged: {error}") from None

    def _hosts_of(self, change: Mapping[str, Any]) -> list[str]:
        """The host Parties of the units a transaction entry names, in order, once each."""
        hosts = (self.state.decisions[r["decision"]]["project_id"][:2] for r in change["ranges"])
        return list(dict.fromkeys(hosts))

    def _register_of(self, index: int, kind: str, change: dict[str, Any]) -> None:
        """A role belongs to an organisation of the register. Before the register, an
        ``actor.registered`` entry made its organisation (no registry, kind other), named as
        it was last registered (migration 0007 did the same)."""
        if kind == "actor.registered":
            org = change["actor"]["organisation"]
            known = self.state.organisations.get(org)
            if known is None:
                self.state.organisations[org] = {
                    "registry": None,
                    "name": change["name"],
                    "kind": "other",
                    "created_at": self.now,
                }
                self.state.touched[f"organisation {org}"] = index
            elif known["registry"] is None:
                known["name"] = change["name"]
                self.state.touched[f"organisation {org}"] = index
        elif kind == "role.granted" and change["organisation"] not in self.state.organisations:
            raise CycleReplayError(
                f"{change['organisation']} is granted a role before it is registered"
            )

    def _on_user_created(self, index: int, change: dict[str, Any]) -> None:
        """Users, their passwords and API tokens hold secrets' hashes: their tables are not
        rebuilt from the log (which records who was created, never a secret)."""

    _on_user_password_reset = _on_user_created
    _on_user_admin_changed = _on_user_created
    _on_token_created = _on_user_created
    _on_token_revoked = _on_user_created

    def _on_mrv_device_credentials_issued(self, index: int, change: dict[str, Any]) -> None:
        """A device's MQTT password hash is a secret too: ``mrv_device_credentials`` is not
        rebuilt (the entry never carries the hash), but the entry must name a device
        registered by then, in the project it names."""
        device = self.devices.devices.get(change["device"])
        if device is None:
            raise ValueError(f"credentials for device {change['device']!r} before it exists")
        if device["project_id"] != change["project"]:
            raise ValueError(f"credentials for device {change['device']!r} name another project")

    def _on_log_key_rotated(self, index: int, change: dict[str, Any]) -> None:
        """A key rotation changes no registry state; the key-chain check reads it."""

    # -- set-up --------------------------------------------------------------------------
    def _on_registry_created(self, index: int, change: dict[str, Any]) -> None:
        s = self.state
        code = change["registry"]
        s.registries[code] = {"name": change["name"], "active": True, "created_at": self.now}
        s.touched[f"registry {code}"] = index
        org = change["government"]
        s.organisations[org] = {
            "registry": code,
            "name": change["government_name"],
            "kind": "government",
            "created_at": self.now,
        }
        s.touched[f"organisation {org}"] = index
        for account in change["accounts"]:
            self._account(index, account)

    def _on_organisation_created(self, index: int, change: dict[str, Any]) -> None:
        org = change["organisation"]
        self.state.organisations[org] = {
            "registry": change["registry"],
            "name": change["name"],
            "kind": change["kind"],
            "created_at": self.now,
        }
        self.state.touched[f"organisation {org}"] = index

    def _on_account_created(self, index: int, change: dict[str, Any]) -> None:
        self._account(index, change)

    def _on_registry_status_changed(self, index: int, change: dict[str, Any]) -> None:
        self.state.registries[change["registry"]]["active"] = change["active"]
        self.state.touched[f"registry {change['registry']}"] = index

    def _on_account_status_changed(self, index: int, change: dict[str, Any]) -> None:
        account = self.state.accounts[change["account"]]
        if account["status"] != change["previous"]:
            raise ValueError(
                f"account {change['account']} was {account['status']}, not {change['previous']}"
            )
        account["status"] = change["status"]
        self.state.touched[f"account {change['account']}"] = index

    def _account(self, index: int, account: dict[str, Any]) -> None:
        self.state.accounts[account["account"]] = {
            "registry": account["registry"],
            "type": account["type"],
            "organisation_id": account["organisation"],
            "name": account["name"],
            "status": account["status"],
            "created_at": self.now,
        }
        self.state.touched[f"account {account['account']}"] = index

    def _on_decision_recorded(self, index: int, change: dict[str, Any]) -> None:
        s = self.state
        decision_id = change["decision"]
        lines: list[dict[str, Any]] = []
        for line in change["lines"]:
            start, end = _range_of(line["serials"])
            row = {
                "account_id": line["account"],
                "registry": line["registry"],
                "share_pct": Decimal(line["share_pct"]),
                "quantity": line["quantity"],
                "serial_start": start,
                "serial_end": end,
                "receives_remainder": line["receives_remainder"],
                "issued_tx": None,
            }
            s.lines[(decision_id, line["line"])] = row
            lines.append(row)
        project = change["project"]
        s.decisions[decision_id] = {
            "project_id": project,
            "period_start": date.fromisoformat(change["period_start"]),
            "period_end": date.fromisoformat(change["period_end"]),
            "vintage": change["vintage"],
            "period_seq": change["period_seq"],
            "amount": change["amount"],
            "status": DecisionStatus.PENDING.value,
            "reference": change["reference"],
            "created_at": self.now,
            "_lines": lines,
        }
        # The registry's project row counts its JC decisions (the next period sequence).
        counted = s.projects.setdefault(project, {"partner": project[:2], "decisions": 0})
        counted["decisions"] = max(counted["decisions"], change["period_seq"])
        s.touched[f"project {project}"] = index
        self.state.runs[decision_id] = []
        self.state.starts[decision_id] = []
        self.state.touched[f"decision {decision_id}"] = index

    # -- transactions --------------------------------------------------------------------
    def _transaction(self, index: int, change: dict[str, Any]) -> None:
        row = {
            "kind": change["kind"],
            "registry": change["registry"],
            "source": change["source"],
            "destination": change["destination"],
            "quantity": change["quantity"],
            "detail": change["detail"],
            "created_at": self.now,
        }
        ranges = [(r["decision"], r["start"], r["end"]) for r in change["ranges"]]
        self.on_transaction(ExpectedTransaction(index, change["transaction"], row, ranges))

    def _on_issuance(self, index: int, change: dict[str, Any]) -> None:
        self._transaction(index, change)
        registry = change["registry"]
        decision_id = change["detail"]["decision"]
        decision = self.state.decisions[decision_id]
        runs = self.state.runs[decision_id]
        starts = self.state.starts[decision_id]
        for rng, line in zip(change["ranges"], change["detail"]["lines"], strict=True):
            run = _Run(
                rng["start"], rng["end"], line["account"], registry, registry, Article6(), index
            )
            position = bisect.bisect_left(starts, run.start)
            runs.insert(position, run)
            starts.insert(position, run.start)
        for line in decision["_lines"]:
            if line["registry"] == registry and line["quantity"] > 0:
                line["issued_tx"] = change["transaction"]
        pending = [
            ln for ln in decision["_lines"] if ln["quantity"] > 0 and ln["issued_tx"] is None
        ]
        decision["status"] = (
            DecisionStatus.PARTIALLY_ISSUED.value if pending else DecisionStatus.ISSUED.value
        )
        self.state.touched[f"decision {decision_id}"] = index

    def _carve(self, index: int, decision_id: int, start: int, end: int) -> list[_Run]:
        """Split runs at start and end; return the runs now exactly covering [start, end]."""
        runs = self.state.runs[decision_id]
        starts = self.state.starts[decision_id]
        i = bisect.bisect_right(starts, start) - 1
        if i < 0 or runs[i].end < start:
            raise ValueError(f"serials {start}-{end} of decision {decision_id} do not exist")
        covered: list[_Run] = []
        count = 0
        j = i
        while j < len(runs) and runs[j].start <= end:
            run = runs[j]
            if run.start < start:
                left = replace(run, end=start - 1)
                run.start = starts[j] = start
                runs.insert(j, left)
                starts.insert(j, left.start)
                j += 1
                continue
            if run.end > end:
                right = replace(run, start=end + 1)
                run.end = end
                runs.insert(j + 1, right)
                starts.insert(j + 1, right.start)
            covered.append(run)
            count += run.end - run.start + 1
            j += 1
        if count != end - start + 1:
            raise ValueError(f"serials {start}-{end} of decision {decision_id} are not all issued")
        return covered

    def _move(self, index: int, change: dict[str, Any]) -> None:
        self._transaction(index, change)
        kind = change["kind"]
        source = change["source"]
        destination = change["destination"]
        dest_registry = self.state.accounts[destination]["registry"]
        source_registry = self.state.accounts[source]["registry"]
        for rng in change["ranges"]:
            decision = self.state.decisions[rng["decision"]]
            partner = decision["project_id"][:2]
            for run in self._carve(index, rng["decision"], rng["start"], rng["end"]):
                if run.account != source:
                    raise ValueError(
                        f"serials {run.start}-{run.end} are in {run.account}, not {source}"
                    )
                if kind == "external_transfer":
                    run.article6 = run.article6.on_external_transfer(source_registry == partner)
                elif kind == "cancellation":
                    run.article6 = run.article6.on_use()
                run.account = destination
                run.registry = dest_registry
                run.touched = index

    _on_transfer = _move
    _on_external_transfer = _move
    _on_cancellation = _move
    _on_retirement = _move

    def _on_authorisation(self, index: int, change: dict[str, Any]) -> None:
        self._transaction(index, change)
        detail = change["detail"]
        uses = parse_uses(detail["uses"])
        trigger = FirstTransferTrigger(detail["first_transfer_at"])
        for rng in change["ranges"]:
            host = self.state.decisions[rng["decision"]]["project_id"][:2]
            for run in self._carve(index, rng["decision"], rng["start"], rng["end"]):
                run.article6 = run.article6.authorise(
                    uses,
                    detail["reference"],
                    trigger,
                    serials=rng["serial"],
                    held_abroad=run.registry != host,
                )
                run.touched = index

    def _on_corresponding_adjustment(self, index: int, change: dict[str, Any]) -> None:
        self._transaction(index, change)
        for rng in change["ranges"]:
            for run in self._carve(index, rng["decision"], rng["start"], rng["end"]):
                run.article6 = run.article6.apply_corresponding_adjustment(serials=rng["serial"])
                run.touched = index
