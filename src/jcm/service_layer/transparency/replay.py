"""Rebuilding the registry's state from its log entries alone, and comparing it with the database.

Replay applies each entry's change with the same domain rules the handlers used (serial
ranges, Article 6 transitions), so the result must equal the stored state exactly. The first
difference is reported with the log index of the entry that last touched the entity, the
entity, the field, what the log says and what the database holds.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from jcm.domain.registry.article6 import Article6, FirstTransferTrigger, parse_uses
from jcm.domain.registry.issuance import DecisionStatus, IssuanceDecision, MonitoringPeriod
from jcm.domain.registry.serials import SerialRange
from jcm.service_layer.cycle.replay import CycleReplayer, CycleReplayError
from jcm.service_layer.ports import Ledger


@dataclass(frozen=True)
class Divergence:
    index: int | None  # log index of the entry that last changed the entity
    entity: str
    field: str
    expected: Any  # what replaying the log gives
    found: Any  # what the database holds

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "entity": self.entity,
            "field": self.field,
            "expected": self.expected,
            "found": self.found,
            "message": self.describe(),
        }

    def describe(self) -> str:
        where = f"entry {self.index}" if self.index is not None else "no log entry"
        return (
            f"{where}: {self.entity} {self.field}: the log says {self.expected!r}, "
            f"the database holds {self.found!r}"
        )


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
    registries: dict[str, dict[str, Any]] = field(default_factory=dict)
    organisations: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    decisions: dict[int, dict[str, Any]] = field(default_factory=dict)
    transactions: dict[int, dict[str, Any]] = field(default_factory=dict)
    runs: dict[int, list[_Run]] = field(default_factory=dict)
    # Parallel to `runs`: each run's start, so bisect compares plain ints.
    starts: dict[int, list[int]] = field(default_factory=dict)
    touched: dict[str, int] = field(default_factory=dict)
    problems: list[Divergence] = field(default_factory=list)


class ReplayError(Exception):
    """An entry cannot be applied to the state the earlier entries built."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(f"entry {index}: {message}")
        self.index = index


def _range_of(serials: str | None) -> tuple[int | None, int | None]:
    if not serials:
        return None, None
    parsed = SerialRange.parse(serials)
    return parsed.start, parsed.end


class Replayer:
    def __init__(self) -> None:
        self.state = ReplayState()
        self.cycle = CycleReplayer(self._decisions_of)

    def _decisions_of(self, project_id: str) -> list[IssuanceDecision]:
        """The JC decisions the log has recorded so far for a project (the I3 check)."""
        return [
            IssuanceDecision(
                decision_id,
                d["project"],
                MonitoringPeriod(d["period_start"], d["period_end"]),
                d["vintage"],
                d["period_seq"],
                d["amount"],
                DecisionStatus(d["status"]),
                d["reference"],
            )
            for decision_id, d in self.state.decisions.items()
            if d["project"] == project_id
        ]

    def apply(self, index: int, entry: dict[str, Any]) -> None:
        kind = entry.get("type")
        change = entry.get("change")
        if not isinstance(change, dict):
            raise ReplayError(index, "the entry has no change object")
        if isinstance(kind, str) and self.cycle.handles(kind):
            try:
                self.cycle.apply(index, kind, change)
            except CycleReplayError as error:
                raise ReplayError(index, str(error)) from None
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                raise ReplayError(index, f"{kind} entry cannot be applied: {error!r}") from None
            return
        handler = getattr(self, f"_on_{kind}", None)
        if handler is None:
            raise ReplayError(index, f"unknown entry type {kind!r}")
        try:
            handler(index, change)
        except (KeyError, TypeError, ValueError) as error:
            raise ReplayError(index, f"{kind} entry cannot be applied: {error!r}") from None

    def _on_log_key_rotated(self, index: int, change: dict[str, Any]) -> None:
        """A key rotation changes no registry state; the key-chain check reads it."""

    # -- set-up --------------------------------------------------------------------------
    def _on_registry_created(self, index: int, change: dict[str, Any]) -> None:
        s = self.state
        code = change["registry"]
        s.registries[code] = {"name": change["name"], "active": True}
        s.touched[f"registry {code}"] = index
        org = change["government"]
        s.organisations[org] = {
            "registry": code,
            "name": change["government_name"],
            "kind": "government",
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
            "organisation": account["organisation"],
            "name": account["name"],
            "status": account["status"],
        }
        self.state.touched[f"account {account['account']}"] = index

    def _on_decision_recorded(self, index: int, change: dict[str, Any]) -> None:
        lines = {}
        for line in change["lines"]:
            start, end = _range_of(line["serials"])
            lines[line["line"]] = {
                "account": line["account"],
                "registry": line["registry"],
                "share_pct": Decimal(line["share_pct"]),
                "quantity": line["quantity"],
                "serial_start": start,
                "serial_end": end,
                "receives_remainder": line["receives_remainder"],
                "issued_tx": None,
            }
        decision_id = change["decision"]
        self.state.decisions[decision_id] = {
            "project": change["project"],
            "period_start": date.fromisoformat(change["period_start"]),
            "period_end": date.fromisoformat(change["period_end"]),
            "vintage": change["vintage"],
            "period_seq": change["period_seq"],
            "amount": change["amount"],
            "status": DecisionStatus.PENDING.value,
            "reference": change["reference"],
            "lines": lines,
        }
        self.state.runs[decision_id] = []
        self.state.starts[decision_id] = []
        self.state.touched[f"decision {decision_id}"] = index

    # -- transactions --------------------------------------------------------------------
    def _transaction(self, index: int, change: dict[str, Any]) -> None:
        tx_id = change["transaction"]
        self.state.transactions[tx_id] = {
            "kind": change["kind"],
            "registry": change["registry"],
            "source": change["source"],
            "destination": change["destination"],
            "quantity": change["quantity"],
            "detail": change["detail"],
        }
        self.state.touched[f"transaction {tx_id}"] = index

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
        for line in decision["lines"].values():
            if line["registry"] == registry and line["quantity"] > 0:
                line["issued_tx"] = change["transaction"]
        pending = [
            ln
            for ln in decision["lines"].values()
            if ln["quantity"] > 0 and ln["issued_tx"] is None
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
            partner = decision["project"][:2]
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
            for run in self._carve(index, rng["decision"], rng["start"], rng["end"]):
                run.article6 = run.article6.authorise(
                    uses, detail["reference"], trigger, serials=rng["serial"]
                )
                run.touched = index

    def _on_corresponding_adjustment(self, index: int, change: dict[str, Any]) -> None:
        self._transaction(index, change)
        for rng in change["ranges"]:
            for run in self._carve(index, rng["decision"], rng["start"], rng["end"]):
                run.article6 = run.article6.apply_corresponding_adjustment(serials=rng["serial"])
                run.touched = index


# -- comparison ----------------------------------------------------------------------------


def _merged(
    runs: list[tuple[int, int, tuple[Any, ...], int]],
) -> list[tuple[int, int, tuple[Any, ...], int]]:
    """Merge adjacent runs with equal attributes (block boundaries are not state)."""
    out: list[tuple[int, int, tuple[Any, ...], int]] = []
    for start, end, attrs, touched in sorted(runs):
        if out and out[-1][1] + 1 == start and out[-1][2] == attrs:
            prev = out[-1]
            out[-1] = (prev[0], end, attrs, max(prev[3], touched))
        else:
            out.append((start, end, attrs, touched))
    return out


_TX_FIELDS = ("kind", "registry", "source", "destination", "quantity", "detail")
_BLOCK_FIELDS = ("account", "registry", "origin", "article 6 attributes")


@functools.cache
def _a6_tuple(a6: Article6) -> tuple[Any, ...]:
    return (
        ",".join(sorted(u.value for u in a6.authorised_uses)),
        a6.authorisation_ref,
        a6.first_transfer_trigger.value if a6.first_transfer_trigger else None,
        a6.first_transferred,
        a6.ca_status.value,
    )


def compare(state: ReplayState, ledger: Ledger) -> Divergence | None:  # noqa: C901 - to split (issue 8)
    """The first difference between the replayed state and the database, or None."""
    t = state.touched

    def diff(entity: str, expected: dict[str, Any], found: dict[str, Any]) -> Divergence | None:
        for key in expected:
            if expected[key] != found.get(key):
                return Divergence(t.get(entity), entity, key, expected[key], found.get(key))
        return None

    def missing(entity: str, in_log: bool) -> Divergence:
        return Divergence(
            t.get(entity),
            entity,
            "existence",
            "present" if in_log else "absent",
            "absent" if in_log else "present",
        )

    found_registries = {
        r.code: {"name": r.name, "active": r.active} for r in ledger.list_registries()
    }
    found_orgs = {
        o.id: {"registry": o.registry, "name": o.name, "kind": o.kind.value}
        for o in ledger.list_organisations(None)
    }
    found_accounts = {
        a.id: {
            "registry": a.registry,
            "type": a.type.value,
            "organisation": a.organisation_id,
            "name": a.name,
            "status": a.status.value,
        }
        for a in ledger.list_accounts(None, None)
    }
    for prefix, expected_all, found_all in (
        ("registry", state.registries, found_registries),
        ("organisation", state.organisations, found_orgs),
        ("account", state.accounts, found_accounts),
    ):
        for key in sorted(set(expected_all) | set(found_all)):
            entity = f"{prefix} {key}"
            if key not in found_all or key not in expected_all:
                return missing(entity, key in expected_all)
            problem = diff(entity, expected_all[key], found_all[key])
            if problem:
                return problem

    found_decisions = {d.id: d for d in ledger.list_decisions(None)}
    for decision_id in sorted(set(state.decisions) | set(found_decisions)):
        entity = f"decision {decision_id}"
        if decision_id not in found_decisions or decision_id not in state.decisions:
            return missing(entity, decision_id in state.decisions)
        d = found_decisions[decision_id]
        expected = dict(state.decisions[decision_id])
        expected_lines = expected.pop("lines")
        found = {
            "project": d.project_id,
            "period_start": d.period.start,
            "period_end": d.period.end,
            "vintage": d.vintage,
            "period_seq": d.period_seq,
            "amount": d.amount,
            "status": d.status.value,
            "reference": d.reference,
        }
        problem = diff(entity, expected, found)
        if problem:
            return problem
        found_lines = {
            dl.line.line_no: {
                "account": dl.line.account_id,
                "registry": dl.registry,
                "share_pct": dl.line.share_pct,
                "quantity": dl.line.quantity,
                "serial_start": dl.line.serial_start,
                "serial_end": dl.line.serial_end,
                "receives_remainder": dl.line.receives_remainder,
                "issued_tx": dl.issued_tx,
            }
            for dl in ledger.decision_lines(decision_id)
        }
        for line_no in sorted(set(expected_lines) | set(found_lines)):
            line_entity = f"decision {decision_id} line {line_no}"
            if line_no not in found_lines or line_no not in expected_lines:
                return missing(line_entity, line_no in expected_lines)
            problem = diff(line_entity, expected_lines[line_no], found_lines[line_no])
            if problem:
                return Divergence(
                    t.get(entity), *(problem.entity, problem.field, problem.expected, problem.found)
                )

    found_tx = {
        tx_id: dict(zip(_TX_FIELDS, values, strict=True))
        for tx_id, *values in ledger.transaction_rows()
    }
    for tx_id in sorted(set(state.transactions) | set(found_tx)):
        entity = f"transaction {tx_id}"
        if tx_id not in found_tx or tx_id not in state.transactions:
            return missing(entity, tx_id in state.transactions)
        problem = diff(entity, state.transactions[tx_id], found_tx[tx_id])
        if problem:
            return problem

    for decision_id in sorted(state.runs):
        decision = state.decisions[decision_id]
        expected_runs = _merged(
            [
                (
                    r.start,
                    r.end,
                    (r.account, r.registry, r.origin, _a6_tuple(r.article6)),
                    r.touched,
                )
                for r in state.runs[decision_id]
            ]
        )
        found_runs = _merged(
            [
                (
                    b.start,
                    b.end,
                    (b.account_id, b.registry, b.origin_registry, _a6_tuple(b.article6)),
                    0,
                )
                for b in ledger.blocks_of_decision(decision_id)
            ]
        )
        problem = _first_block_difference(decision, expected_runs, found_runs)
        if problem is not None:
            return problem
    return None


_RunTuple = tuple[int, int, tuple[Any, ...], int]


def _first_block_difference(
    decision: dict[str, Any], expected: list[_RunTuple], found: list[_RunTuple]
) -> Divergence | None:
    """Sweep both tilings serial by serial; report the first sub-range that differs."""

    def entity(origin: str, start: int, end: int) -> str:
        return (
            "units "
            + SerialRange(
                origin,
                decision["project"][:2],
                decision["project"],
                decision["vintage"],
                decision["period_seq"],
                start,
                end,
            ).format()
        )

    def at(runs: list[_RunTuple], i: int, serial: int) -> _RunTuple | None:
        return runs[i] if i < len(runs) and runs[i][0] <= serial <= runs[i][1] else None

    i = j = 0
    serial = min((r[0] for r in expected[:1] + found[:1]), default=None)
    while serial is not None:
        while i < len(expected) and expected[i][1] < serial:
            i += 1
        while j < len(found) and found[j][1] < serial:
            j += 1
        exp, got = at(expected, i, serial), at(found, j, serial)
        if exp is None and got is None:
            nexts = [r[0] for r in (expected[i : i + 1] + found[j : j + 1])]
            serial = min(nexts) if nexts else None
            continue
        if exp is None or got is None:
            present = exp or got
            assert present is not None
            stop = present[1]
            other = found[j : j + 1] if exp else expected[i : i + 1]
            if other:
                stop = min(stop, other[0][0] - 1)
            return Divergence(
                exp[3] if exp else None,
                entity(present[2][2], serial, stop),
                "existence",
                "present" if exp else "absent",
                "present" if got else "absent",
            )
        stop = min(exp[1], got[1])
        if exp[2] != got[2]:
            for name, e_value, g_value in zip(_BLOCK_FIELDS, exp[2], got[2], strict=True):
                if e_value != g_value:
                    return Divergence(
                        exp[3], entity(exp[2][2], serial, stop), name, e_value, g_value
                    )
        serial = stop + 1
    return None
