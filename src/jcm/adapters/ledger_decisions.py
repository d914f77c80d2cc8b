"""The ledger port's projects and JC decisions (with their allocation lines) in SQL: part of
``SqlLedger``, kept apart so that the ledger's module holds accounts, blocks and
transactions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jcm.adapters import schema as t
from jcm.adapters.ledger_rows import decision_from_row
from jcm.adapters.ledger_statements import DECISION, DECISION_LOCKED
from jcm.domain.registry.allocation import AllocatedLine
from jcm.domain.registry.issuance import DecisionLine, DecisionStatus, IssuanceDecision


class LedgerDecisions:
    c: Connection

    # -- projects and decisions -----------------------------------------------------------
    def lock_project(self, project_id: str) -> int:
        query = select(t.projects.c.decisions).where(t.projects.c.id == project_id)
        count = self.c.execute(query.with_for_update()).scalar()
        if count is None:
            # A concurrent first decision of the same project may insert the row meanwhile:
            # that is a race to wait for, not a duplicate.
            dialect_insert = pg_insert if self.c.dialect.name == "postgresql" else sqlite_insert
            self.c.execute(
                dialect_insert(t.projects)
                .values(id=project_id, partner=project_id[:2], decisions=0)
                .on_conflict_do_nothing(index_elements=["id"])
            )
            count = self.c.execute(query.with_for_update()).scalar_one()
        return int(count)

    def set_project_decisions(self, project_id: str, count: int) -> None:
        self.c.execute(
            update(t.projects).where(t.projects.c.id == project_id).values(decisions=count)
        )

    def decisions_of_project(self, project_id: str) -> list[IssuanceDecision]:
        rows = self.c.execute(
            select(t.decisions)
            .where(t.decisions.c.project_id == project_id)
            .order_by(t.decisions.c.period_seq)
        )
        return [decision_from_row(r) for r in rows]

    def add_decision(self, decision: IssuanceDecision, now: datetime) -> int:
        result = self.c.execute(
            insert(t.decisions)
            .values(
                project_id=decision.project_id,
                period_start=decision.period.start,
                period_end=decision.period.end,
                vintage=decision.vintage,
                period_seq=decision.period_seq,
                amount=decision.amount,
                status=decision.status.value,
                reference=decision.reference,
                created_at=now,
            )
            .returning(t.decisions.c.id)
        )
        return int(result.scalar_one())

    def add_decision_lines(self, lines: Sequence[DecisionLine]) -> None:
        self.c.execute(
            insert(t.decision_lines),
            [
                {
                    "decision_id": dl.decision_id,
                    "line_no": dl.line.line_no,
                    "account_id": dl.line.account_id,
                    "registry": dl.registry,
                    "share_pct": dl.line.share_pct,
                    "quantity": dl.line.quantity,
                    "serial_start": dl.line.serial_start,
                    "serial_end": dl.line.serial_end,
                    "receives_remainder": dl.line.receives_remainder,
                    "issued_tx": dl.issued_tx,
                }
                for dl in lines
            ],
        )

    def get_decision(self, decision_id: int, *, lock: bool = False) -> IssuanceDecision | None:
        statement = DECISION_LOCKED if lock else DECISION
        row = self.c.execute(statement, {"decision": decision_id}).first()
        return decision_from_row(row) if row else None

    def find_decision(self, project_id: str, period_seq: int) -> IssuanceDecision | None:
        row = self.c.execute(
            select(t.decisions).where(
                t.decisions.c.project_id == project_id, t.decisions.c.period_seq == period_seq
            )
        ).first()
        return decision_from_row(row) if row else None

    def decision_lines(self, decision_id: int) -> list[DecisionLine]:
        rows = self.c.execute(
            select(t.decision_lines)
            .where(t.decision_lines.c.decision_id == decision_id)
            .order_by(t.decision_lines.c.line_no)
        )
        return [
            DecisionLine(
                r.decision_id,
                AllocatedLine(
                    r.line_no,
                    r.account_id,
                    Decimal(r.share_pct).normalize(),
                    r.quantity,
                    r.serial_start,
                    r.serial_end,
                    bool(r.receives_remainder),
                ),
                r.registry,
                r.issued_tx,
            )
            for r in rows
        ]

    def mark_lines_issued(self, decision_id: int, line_nos: Sequence[int], tx_id: int) -> None:
        result = self.c.execute(
            update(t.decision_lines)
            .where(
                t.decision_lines.c.decision_id == decision_id,
                t.decision_lines.c.line_no.in_(list(line_nos)),
                t.decision_lines.c.issued_tx.is_(None),
            )
            .values(issued_tx=tx_id)
        )
        if result.rowcount != len(line_nos):  # the decision row lock makes this unreachable
            raise RuntimeError(f"decision {decision_id} lines were issued concurrently")

    def set_decision_status(self, decision_id: int, status: DecisionStatus) -> None:
        self.c.execute(
            update(t.decisions).where(t.decisions.c.id == decision_id).values(status=status.value)
        )

    def list_decisions(self, project_id: str | None) -> list[IssuanceDecision]:
        query = select(t.decisions).order_by(t.decisions.c.id)
        if project_id:
            query = query.where(t.decisions.c.project_id == project_id)
        return [decision_from_row(r) for r in self.c.execute(query)]
