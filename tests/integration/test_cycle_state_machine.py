"""Stateful property test: random project-cycle steps against the real cycle service.

A Hypothesis ``RuleBasedStateMachine`` takes one new project per example through random
steps (any action, by any actor, on random dates, with or without the documents the step
needs), opens random monitoring periods and takes random monitoring steps, including the
JC decision and each side's issuance. The transition tables are the model:

* a refused step changes nothing: not the project, not its periods, not the registry, not
  the log;
* an accepted step moves to exactly the state its table row names and adds log entries;
* the live monitoring periods of a project never overlap;
* the registry has issued exactly the decided lines of the sides each period says issued,
  never a line twice;
* and at the end the whole log replays to the database (``jcm log verify``).
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy.engine import make_url

from jcm.bootstrap import App
from jcm.domain.cycle import (
    MONITORING_TRANSITIONS,
    PROJECT_TRANSITIONS,
    CreditingPeriod,
    DocumentKind,
    DocumentRef,
    MonitoringAction,
    Participant,
    ProjectAction,
    ProjectProposal,
    Role,
    Side,
    TpeFunction,
    designations,
)
from jcm.domain.cycle import commands as cc
from jcm.domain.errors import JcmError
from jcm.domain.registry import commands as c
from jcm.domain.registry.accounts import AccountType
from jcm.domain.registry.allocation import AllocationShare
from jcm.domain.transparency.signed_note import Verifier
from jcm.entrypoints.demo_cycle import actors, enrol
from jcm.service_layer.results import to_json_object

FIRST_DAY = date(2022, 1, 1)
TODAY = date(2026, 4, 1)  # the app fixture's clock
PP, OTHER_PP = "sm-jp-solar", "sm-ke-factory"
ACTORS = [
    PP,
    OTHER_PP,
    "sm-stranger",
    "demo-tpe",
    "sm-tpe-id",
    "jc-sec-ke",
    "jc-ke",
    "rm-jp",
    "rm-ke",
    "jc-id",
]
QUARTERS = [
    (date(year, month, 1), date(year + month // 10, (month + 2) % 12 + 1, 1) - timedelta(days=1))
    for year in (2023, 2024, 2025)
    for month in (1, 4, 7, 10)
]
EXAMPLES = {"sqlite": 15, "postgresql": 15}
GOOD_ACTORS = {
    Role.PROJECT_PARTICIPANT: [PP, OTHER_PP],
    Role.TPE: ["demo-tpe"],
    Role.SECRETARIAT: ["jc-sec-ke"],
    Role.JC_MEMBER: ["jc-ke"],
    Role.REGISTRY_MANAGER: ["rm-jp", "rm-ke"],
}
# Steps that end or divert the cycle: guided choices take them only now and then.
DETOURS = {
    "object",
    "give_negative_opinion",
    "reject_registration",
    "withdraw_registration_request",
    "withdraw_project",
    "request_allocation_change",
    "request_participant_change",
    "request_renewal",
    "reject",
    "withdraw",
}
REACHED: set[str] = set()  # states accepted steps led to, over all examples
STEPS = 100


def setup_world(app: App) -> dict[str, Any]:
    """Registries, accounts, actors and one stored document of every kind (idempotent)."""
    for code in ("JP", "KE"):
        app.registry.create_registry(c.CreateRegistry(code), key=f"sm:registry:{code}")
    org = app.registry.create_organisation(c.CreateOrganisation("KE", "SM Factory"), key="sm:org")
    account = app.registry.open_account(
        c.OpenAccount("KE", org.organisation, AccountType.ENTITY_HOLDING, "sm"),
        key="sm:account",
    ).account
    cast = [
        *actors(("KE", "ID")),
        cc.RegisterActor(PP, Role.PROJECT_PARTICIPANT, "SM JP", Side.JAPAN),
        cc.RegisterActor(OTHER_PP, Role.PROJECT_PARTICIPANT, "SM KE", Side.PARTNER),
        cc.RegisterActor("sm-stranger", Role.PROJECT_PARTICIPANT, "SM other", Side.PARTNER),
        cc.RegisterActor(
            "sm-tpe-id",
            Role.TPE,
            "TPE for Indonesia only",
            designations=designations("ID", (1,), TpeFunction.VALIDATION, TpeFunction.VERIFICATION),
        ),
    ]
    enrol(app.identity, app.cycle, cast, "sm:actor")
    docs = {}
    for kind in DocumentKind:
        stored = app.documents.put_document(
            kind,
            f"{kind.value} (state machine)\n".encode(),
            media_type="text/plain",
            filename=f"{kind.value}.txt",
        )
        docs[kind] = stored.public.ref(kind)
    return {"account": account, "docs": docs}


class CycleMachine(RuleBasedStateMachine):
    app: ClassVar[App]
    world: ClassVar[dict[str, Any]]
    counter: ClassVar[itertools.count[int]]

    @initialize(registered=st.booleans())
    def start(self, registered: bool) -> None:
        self.project_id = f"KE{next(self.counter) + 500:03d}"
        self.on = FIRST_DAY
        self.started = False
        shares = (
            AllocationShare("JP-GOV-0001", Decimal(50)),
            AllocationShare(self.world["account"], Decimal(40)),
            AllocationShare("KE-GOV-0001", Decimal(10)),
        )
        self.shares = shares
        proposal = ProjectProposal(
            self.project_id,
            "State-machine PV",
            "KE_AM002",
            "1.0",
            1,
            (Participant(PP, Side.JAPAN, True), Participant(OTHER_PP, Side.PARTNER)),
            CreditingPeriod(date(2023, 1, 1), date(2030, 12, 31)),
        )
        self.apply(
            lambda: self.app.cycle.start_project(
                cc.StartProject(proposal, cc.ActingAs(PP), self.on, (self.doc(DocumentKind.PIN),))
            ),
            expect=None,
        )
        self.started = True
        if registered:  # half the examples start monitoring at once
            self.register()

    def register(self) -> None:
        """The project's happy path from no-objection to registration, as the demo takes it."""
        k = DocumentKind
        params = self.parameters()
        steps: list[tuple[str, str, int, tuple[DocumentKind, ...]]] = [
            ("decide_no_objection", "jc-ke", 30, ()),
            ("submit_pdd", PP, 30, (k.PDD, k.MODALITIES_OF_COMMUNICATION, k.MONITORING_PLAN)),
            ("open_public_input", "demo-tpe", 5, ()),
            ("start_validation", "demo-tpe", 30, ()),
            ("validate", "demo-tpe", 30, (k.VALIDATION_REPORT,)),
            ("request_registration", PP, 10, (k.REGISTRATION_REQUEST, k.CREDIT_ALLOCATION_FORM)),
            ("accept_registration_request", "jc-sec-ke", 5, ()),
            ("register", "jc-ke", 25, ()),
        ]
        for action, actor, days, kinds in steps:
            self.on += timedelta(days=days)
            self.app.cycle.project_step(
                cc.ProjectStep(
                    self.project_id,
                    action,
                    cc.ActingAs(actor),
                    self.on,
                    tuple(self.doc(x) for x in kinds),
                    shares=self.shares if action == "request_registration" else (),
                    parameters=params if action == "submit_pdd" else None,
                )
            )

    def details(self, action: ProjectAction, alt: Any, data: st.DataObject) -> dict[str, Any]:
        """The details a step takes; now and then every detail, which other steps refuse."""
        every = {
            "shares": alt if action is ProjectAction.REQUEST_ALLOCATION_CHANGE else self.shares,
            "participants": (
                Participant(PP, Side.JAPAN),
                Participant(OTHER_PP, Side.PARTNER, True),
            ),
            "renewal_end": date(2032, 12, 31),
            "parameters": self.parameters(),
        }
        if data.draw(st.integers(0, 7), "every detail") == 7:
            return every
        takes = {
            ProjectAction.REQUEST_REGISTRATION: "shares",
            ProjectAction.REQUEST_ALLOCATION_CHANGE: "shares",
            ProjectAction.REQUEST_PARTICIPANT_CHANGE: "participants",
            ProjectAction.REQUEST_RENEWAL: "renewal_end",
            ProjectAction.SUBMIT_PDD: "parameters",
            ProjectAction.RESUBMIT_PDD: "parameters",
        }.get(action)
        return {takes: every[takes]} if takes else {}

    def parameters(self) -> cc.ExAnteParameters:
        return cc.ExAnteParameters(
            (
                ("host_country", "KE"),
                ("technology", "solar_pv"),
                ("connection", "captive_only"),
                ("grid", "national"),
                ("pv_modules_iec_certified", True),
            ),
            (("P_PV", ("1000", "kW")),),
        )

    # -- helpers --------------------------------------------------------------------------
    def doc(self, kind: DocumentKind) -> DocumentRef:
        ref: DocumentRef = self.world["docs"][kind]
        return ref

    def snapshot(self) -> tuple[Any, ...]:
        with self.app.unit_of_work(read_only=True) as uow:
            project = uow.cycle.get_project(self.project_id)
            periods = uow.cycle.monitoring_of_project(self.project_id)
            decisions = uow.ledger.decisions_of_project(self.project_id)
            lines = [
                (dl.line.line_no, dl.issued_tx)
                for d in decisions
                for dl in uow.ledger.decision_lines(d.id)
            ]
            return project, periods, decisions, lines, uow.ledger.log.size()

    def apply(self, action: Any, expect: Any) -> None:
        """Run a step; refused: nothing changed; accepted: the state its row names."""
        before = self.snapshot()
        try:
            action()
        except JcmError:
            assert self.snapshot() == before, "a refused step changed something"
            return
        after = self.snapshot()
        assert after[-1] > before[-1], "an accepted step wrote no log entry"
        if expect is not None:
            expect(after)

    def next_day(self, data: st.DataObject) -> date:
        self.on = min(TODAY, self.on + timedelta(days=data.draw(st.integers(0, 45), "days")))
        return self.on

    def choose(
        self, table: Any, state: Any, every: list[Any], data: st.DataObject
    ) -> tuple[Any, str]:
        """Mostly a step the table allows from ``state`` by an actor of a right role (so the
        machine gets deep into the cycle), sometimes any step by anyone."""
        rows = [r for r in table if r.source == state]
        forward = [r for r in rows if r.action.value not in DETOURS]
        if forward and data.draw(st.integers(0, 7), "detour") != 7:
            rows = forward
        if rows and data.draw(st.integers(0, 7), "anything") != 7:
            row = data.draw(st.sampled_from(rows), "row")
            pool = [a for role in sorted(row.roles) for a in GOOD_ACTORS[role]]
            return row.action, data.draw(st.sampled_from(pool), "actor")
        return data.draw(st.sampled_from(every), "action"), data.draw(
            st.sampled_from(ACTORS), "actor"
        )

    def docs_for(
        self, table: Any, state: Any, action: Any, data: st.DataObject
    ) -> tuple[DocumentRef, ...]:
        row = next((r for r in table if r.source == state and r.action == action), None)
        kinds = sorted(row.documents) if row else []
        if kinds and data.draw(st.integers(0, 7), "drop a document") == 7:
            kinds = kinds[1:]
        return tuple(self.doc(k) for k in kinds)

    # -- rules ----------------------------------------------------------------------------
    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        """One step, mostly of the kind that moves this project on: project steps until it
        is registered, then monitoring steps while a period is open, else a new report."""
        project, periods = self.snapshot()[:2]
        open_periods = [
            r
            for r, _ in periods
            if r.state.value not in ("issued", "rejected", "withdrawn", "not_verified")
        ]
        if project is None or not project.is_registered:
            order = [self.project_step, self.submit_report, self.monitoring_step]
        elif open_periods:
            order = [self.monitoring_step, self.submit_report, self.project_step]
        else:
            order = [self.submit_report, self.monitoring_step, self.project_step]
        pick = data.draw(st.integers(0, 9), "kind of step")
        order[0 if pick < 7 else 1 if pick < 9 else 2](data)

    def project_step(self, data: st.DataObject) -> None:
        project = self.snapshot()[0]
        state = project.state if project else None
        action, actor = self.choose(PROJECT_TRANSITIONS, state, list(ProjectAction), data)
        alt = (
            AllocationShare("JP-GOV-0001", Decimal(60)),
            AllocationShare(self.world["account"], Decimal(40)),
        )
        cmd = cc.ProjectStep(
            self.project_id,
            action.value,
            cc.ActingAs(actor),
            self.next_day(data),
            self.docs_for(PROJECT_TRANSITIONS, state, action, data),
            **self.details(action, alt, data),
        )
        row = next(
            (r for r in PROJECT_TRANSITIONS if r.source == state and r.action == action), None
        )

        def moved(after: tuple[Any, ...]) -> None:
            assert row is not None, f"{action} from {state} was accepted without a row"
            assert after[0].state is row.target
            REACHED.add(f"project {row.target.value}")

        self.apply(lambda: self.app.cycle.project_step(cmd), moved)

    def submit_report(self, data: st.DataObject) -> None:
        start, end = data.draw(st.sampled_from(QUARTERS), "period")
        kwh = data.draw(st.integers(0, 2_000_000), "EG_p")
        on = self.next_day(data)
        if data.draw(st.integers(0, 7), "early") != 7:  # mostly report once the period ended
            self.on = on = max(on, end + timedelta(days=data.draw(st.integers(1, 60), "lag")))
        cmd = cc.SubmitMonitoringReport(
            self.project_id,
            start,
            end,
            cc.ActingAs(data.draw(st.sampled_from([PP, OTHER_PP, "demo-tpe"]))),
            on,
            (("EG_p", (str(kwh), "kWh")),),
            (self.doc(DocumentKind.MONITORING_REPORT),),
        )
        self.apply(lambda: self.app.cycle.submit_report(cmd), None)

    def monitoring_step(self, data: st.DataObject) -> None:
        periods = sorted(self.snapshot()[1], key=lambda p: p[0].state.value in ("issued",))
        if not periods:
            return
        request, _ = data.draw(st.sampled_from(periods), "period")
        every = [a for a in MonitoringAction if a is not MonitoringAction.SUBMIT_REPORT]
        action, actor = self.choose(MONITORING_TRANSITIONS, request.state, every, data)
        cmd = cc.MonitoringStep(
            request.id,
            action.value,
            cc.ActingAs(actor),
            self.next_day(data),
            self.docs_for(MONITORING_TRANSITIONS, request.state, action, data),
            verified_amount=data.draw(st.sampled_from([None, None, 10**6]), "verified")
            if action is MonitoringAction.VERIFY
            else None,
        )
        row = next(
            (r for r in MONITORING_TRANSITIONS if r.source == request.state and r.action == action),
            None,
        )

        def moved(after: tuple[Any, ...]) -> None:
            assert row is not None, f"{action} from {request.state} was accepted without a row"
            new = next(r for r, _ in after[1] if r.id == request.id)
            assert new.state in {row.target, row.completes_to}
            REACHED.add(f"monitoring {new.state.value}")

        self.apply(lambda: self.app.cycle.monitoring_step(cmd), moved)

    # -- invariants -----------------------------------------------------------------------
    @invariant()
    def live_periods_never_overlap(self) -> None:
        if not getattr(self, "started", False):
            return
        live = [r.period for r, _ in self.snapshot()[1] if r.holds_period]
        for a, b in itertools.combinations(live, 2):
            assert not a.overlaps(b), f"{a} overlaps {b}"

    @invariant()
    def the_registry_issued_exactly_the_sides_each_period_says(self) -> None:
        if not getattr(self, "started", False):
            return
        with self.app.unit_of_work(read_only=True) as uow:
            for request, decision_id in uow.cycle.monitoring_of_project(self.project_id):
                if decision_id is None:
                    assert request.decision is None
                    continue
                registries = {"JP" if s is Side.JAPAN else "KE" for s in request.issued_sides}
                lines = uow.ledger.decision_lines(decision_id)
                assert request.decision is not None
                assert sum(dl.line.quantity for dl in lines) == request.decision.amount
                for dl in lines:  # an empty line (a share rounded to 0) is never issued
                    issued = dl.registry in registries and dl.line.quantity > 0
                    assert (dl.issued_tx is not None) == issued


def verify(app: App) -> dict[str, Any]:
    verifiers: dict[str, Verifier] = dict(app.log_verifiers())
    result: dict[str, Any] = to_json_object(app.log.verify(verifiers))
    return result


def test_random_cycle_steps_follow_the_tables_change_nothing_when_refused_and_replay(
    app: App, database_url: str
) -> None:
    REACHED.clear()
    machine = type(
        "CycleOnDatabase",
        (CycleMachine,),
        {"app": app, "world": setup_world(app), "counter": itertools.count()},
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES[make_url(database_url).get_backend_name()],
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )

    verdict = verify(app)
    assert verdict["ok"], verdict["problem"]
    # The guided choices take examples through the whole cycle (derandomised, so stable).
    assert {"project registered", "monitoring issued"} <= REACHED, sorted(REACHED)
