"""The README's main job, part one: two projects from idea to credits in both registries.

A Kenyan 1 MW solar PV plant at a factory (KE_AM002, captive diesel displaced) and a
high-efficiency centrifugal chiller at a factory in Indonesia (ID_AM002 v2.0, Jamali grid) walk
the whole JCM cycle: PIN, no-objection, PDD with its ex-ante parameters, public input,
validation, registration with the credit allocation form, monitoring reports calculated by
the methodology, verification, the JC's issuance decision, and issuance by each side's
registry manager. The organisations are fictitious and the monitored values illustrative;
documents are short generated texts stored in the content-addressed document store.

The chiller's reference COP is a *placeholder* (no source): its records are illustrative, and
a production rule book refuses to verify or decide on them (``P7_ILLUSTRATIVE_METHODOLOGY``).
Both projects therefore run under the demo's own rule book, which allows illustrative
methodologies and says so in the demo's output.

Every call carries an idempotency key, so a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from jcm.domain.cycle import (
    CreditingPeriod,
    DocumentKind,
    DocumentRef,
    Participant,
    ProjectProposal,
    Role,
    RuleBook,
    Side,
    TpeFunction,
    designations,
)
from jcm.domain.cycle import commands as cc
from jcm.domain.identity.principal import operator_for
from jcm.domain.identity.register import PLATFORM_ORGANISATION
from jcm.domain.registry.allocation import AllocationShare
from jcm.service_layer.cycle.results import MonitoringStepped
from jcm.service_layer.cycle.service import CycleService
from jcm.service_layer.documents.service import DocumentService
from jcm.service_layer.identity.service import IdentityService

K = DocumentKind

# The demo's rule book: the default one, except that it allows illustrative methodologies.
DEMO_RULE_BOOK = RuleBook(
    "demo (illustrative methodologies allowed)", allow_illustrative_methodologies=True
)


@dataclass(frozen=True)
class ProjectPlan:
    project_id: str
    title: str
    methodology: str
    version: str
    scope: int
    participants: tuple[Participant, ...]
    crediting: CreditingPeriod
    facts: tuple[tuple[str, str | int | bool], ...]
    fixed: tuple[tuple[str, tuple[str, str]], ...]
    shares: tuple[tuple[str, str], ...]  # (account, percent)
    periods: tuple[tuple[date, date, tuple[tuple[str, tuple[str, str]], ...]], ...]
    pin_on: date
    rule_book: str = DEMO_RULE_BOOK.version


def actors(partners: tuple[str, ...]) -> list[cc.RegisterActor]:
    """The cast: a TPE designated by each JC, each JC's secretariat and member, and the
    registry managers of Japan and each partner."""
    cast = [
        cc.RegisterActor(
            "demo-tpe",
            Role.TPE,
            "Demo Verification Services (TPE)",
            designations=frozenset().union(
                *(
                    designations(p, (1, 3), TpeFunction.VALIDATION, TpeFunction.VERIFICATION)
                    for p in partners
                )
            ),
        ),
        cc.RegisterActor("rm-jp", Role.REGISTRY_MANAGER, "JCM registry of Japan", Side.JAPAN),
    ]
    for p in partners:
        cast += [
            cc.RegisterActor(
                f"jc-sec-{p.lower()}", Role.SECRETARIAT, f"JC secretariat {p}", partner=p
            ),
            cc.RegisterActor(
                f"jc-{p.lower()}", Role.JC_MEMBER, f"Joint Committee JP-{p}", Side.JAPAN, p
            ),
            cc.RegisterActor(
                f"rm-{p.lower()}", Role.REGISTRY_MANAGER, f"JCM registry of {p}", Side.PARTNER, p
            ),
        ]
    return cast


def demo_cast(accounts: dict[str, str]) -> list[cc.RegisterActor]:
    """The cast with the participants of the demo's projects."""
    cast = actors(("KE", "ID"))
    for plan in plans(accounts):
        cast += [
            cc.RegisterActor(
                p.organisation_id, Role.PROJECT_PARTICIPANT, f"{p.organisation_id} (demo)", p.side
            )
            for p in plan.participants
        ]
    return cast


def enrol(
    identity: IdentityService,
    cycle: CycleService,
    cast: Iterable[cc.RegisterActor],
    key_prefix: str | None = "demo:actor",
) -> None:
    """Register each organisation of ``cast`` and grant its role, as the platform's
    administrator on the server (JC members with a decision reference); then the JCs of the
    cast designate its TPEs as listed (designations are never granted)."""
    operator = operator_for(PLATFORM_ORGANISATION)
    cast = list(cast)
    jc_of = {
        str(role["partner"]): o.organisation
        for o in identity.organisations()
        for role in o.roles
        if role["role"] == Role.JC_MEMBER.value
    }
    jc_of.update({str(a.partner): a.organisation_id for a in cast if a.role is Role.JC_MEMBER})
    seen: set[str] = set()
    for a in cast:
        what = f"{a.organisation_id}:{a.role.value}"
        if what in seen:
            continue
        seen.add(what)
        decision = a.decision
        if a.role is Role.JC_MEMBER and decision is None:
            decision = f"JC decision appointing {a.organisation_id} (demo)"
        identity.register_actor(
            replace(a, designations=frozenset(), decision=decision),
            operator,
            key=f"{key_prefix}:{what}" if key_prefix else None,
        )
    for a in cast:
        grouped: dict[tuple[str, TpeFunction], list[int]] = {}
        for d in sorted(a.designations):
            grouped.setdefault((d.partner, d.function), []).append(d.scope)
        for (partner, function), scopes in grouped.items():
            cycle.designate_tpe(
                cc.DesignateTpe(
                    a.organisation_id,
                    partner,
                    tuple(scopes),
                    (function,),
                    cc.ActingAs(jc_of[partner], Role.JC_MEMBER),
                    None,
                ),
                key=f"{key_prefix}:designate:{a.organisation_id}:{partner}:{function.value}"
                if key_prefix
                else None,
            )


def plans(accounts: dict[str, str]) -> list[ProjectPlan]:
    """The two projects; ``accounts`` maps jp_gov, ke_gov, id_gov, ke_pp, id_pp, jp_pp."""
    pv_year = (
        (date(2023, 1, 1), date(2023, 12, 31), (("EG_p", ("1648300", "kWh")),)),
        (date(2024, 1, 1), date(2024, 12, 31), (("EG_p", ("1702150", "kWh")),)),
    )
    chiller_year = ((date(2023, 1, 1), date(2023, 12, 31), (("EC_PJ_p", ("3420.5", "MWh")),)),)
    return [
        ProjectPlan(
            "KE001",
            "1 MW solar PV system at a factory in Kenya (demo)",
            "KE_AM002",
            "1.0",
            1,
            (
                Participant("demo-jp-solar", Side.JAPAN, focal_point=True),
                Participant("demo-ke-factory", Side.PARTNER),
            ),
            CreditingPeriod(date(2023, 1, 1), date(2030, 12, 31)),
            (
                ("host_country", "KE"),
                ("technology", "solar_pv"),
                ("connection", "captive_only"),
                ("grid", "national"),
                ("pv_modules_iec_certified", True),
            ),
            (("P_PV", ("1000", "kW")),),
            ((accounts["jp_gov"], "50"), (accounts["ke_pp"], "40"), (accounts["ke_gov"], "10")),
            pv_year,
            date(2022, 6, 1),
        ),
        ProjectPlan(
            "ID001",
            "High-efficiency centrifugal chiller at a factory in Indonesia (demo)",
            "ID_AM002",
            "2.0",
            3,
            (
                Participant("demo-jp-cooling", Side.JAPAN, focal_point=True),
                Participant("demo-id-factory", Side.PARTNER),
            ),
            CreditingPeriod(date(2023, 1, 1), date(2030, 12, 31)),
            (
                ("host_country", "ID"),
                ("equipment", "centrifugal_chiller"),
                ("connection", "grid"),
                ("grid", "jamali"),
                ("cop_rated", "6.8"),
                ("capacity_usrt", "1000"),
                ("maintenance_checks_per_year", 4),
                ("refrigerant_odp", 0),
                ("refrigerant_recovery_plan", True),
            ),
            (
                ("COP_PJ", ("6.8", "1")),
                ("Q_PJ", ("1000", "USRt")),
                ("T_cw_out", ("37", "degC")),
                ("T_chw_out", ("7", "degC")),
            ),
            ((accounts["jp_gov"], "50"), (accounts["id_pp"], "33.3"), (accounts["id_gov"], "16.7")),
            chiller_year,
            date(2022, 6, 15),
        ),
    ]


def define_demo_rule_book(cycle: CycleService) -> None:
    """Define the demo's rule book once (the idempotency key makes a repeat a replay)."""
    cycle.define_rule_book(cc.DefineRuleBook(DEMO_RULE_BOOK), key="demo:rule-book")


class Walker:
    """Runs one project's cycle with idempotency keys and generated documents."""

    def __init__(
        self, cycle: CycleService, store: DocumentService, say: Callable[[str], None]
    ) -> None:
        self.cycle = cycle
        self.store = store
        self.say = say

    def doc(self, kind: DocumentKind, subject: str) -> DocumentRef:
        text = f"{kind.value.replace('_', ' ')} of {subject} (generated by jcm demo)\n"
        stored = self.store.put_document(
            kind, text.encode(), media_type="text/plain", filename=f"{subject}-{kind.value}.txt"
        )
        return stored.public.ref(kind)

    def docs(self, subject: str, *kinds: DocumentKind) -> tuple[DocumentRef, ...]:
        return tuple(self.doc(k, subject) for k in kinds)

    def walk(self, plan: ProjectPlan) -> list[dict[str, Any]]:
        define_demo_rule_book(self.cycle)
        pid = plan.project_id
        partner = pid[:2].lower()
        pp = plan.participants[0].organisation_id
        pp_as = cc.ActingAs(pp)
        tpe = cc.ActingAs("demo-tpe")
        sec = cc.ActingAs(f"jc-sec-{partner}")
        jc = cc.ActingAs(f"jc-{partner}")
        key = f"demo:cycle:{pid}"
        day = plan.pin_on
        parameters = cc.ExAnteParameters(plan.facts, plan.fixed)

        def step(action: str, by: cc.ActingAs, on: date, *kinds: DocumentKind, **kw: Any) -> None:
            result = self.cycle.project_step(
                cc.ProjectStep(pid, action, by, on, self.docs(pid, *kinds), **kw),
                key=f"{key}:{action}",
            )
            self.say(f"{pid} {action.replace('_', ' ')} → {result.state}")

        self.cycle.start_project(
            cc.StartProject(
                ProjectProposal(
                    pid,
                    plan.title,
                    plan.methodology,
                    plan.version,
                    plan.scope,
                    plan.participants,
                    plan.crediting,
                ),
                pp_as,
                day,
                self.docs(pid, K.PIN),
                rule_book=plan.rule_book,
            ),
            key=f"{key}:start",
        )
        self.say(f"{pid} PIN submitted ({plan.methodology} v{plan.version})")
        step("decide_no_objection", jc, day + timedelta(days=30))
        step(
            "submit_pdd",
            pp_as,
            day + timedelta(days=60),
            K.PDD,
            K.MODALITIES_OF_COMMUNICATION,
            K.MONITORING_PLAN,
            parameters=parameters,
        )
        opened = day + timedelta(days=65)
        step("open_public_input", tpe, opened)
        step("start_validation", tpe, opened + timedelta(days=30))
        step("validate", tpe, opened + timedelta(days=60), K.VALIDATION_REPORT)
        shares = tuple(AllocationShare(a, Decimal(p)) for a, p in plan.shares)
        step(
            "request_registration",
            pp_as,
            opened + timedelta(days=70),
            K.REGISTRATION_REQUEST,
            K.CREDIT_ALLOCATION_FORM,
            shares=shares,
        )
        step("accept_registration_request", sec, opened + timedelta(days=75))
        step("register", jc, opened + timedelta(days=100))
        issued = []
        for seq, (start, end, values) in enumerate(plan.periods, 1):
            issued.append(self.monitor(plan, seq, start, end, values))
        return issued

    def monitor(
        self,
        plan: ProjectPlan,
        seq: int,
        start: date,
        end: date,
        values: tuple[tuple[str, tuple[str, str]], ...],
    ) -> dict[str, Any]:
        pid = plan.project_id
        partner = pid[:2].lower()
        key = f"demo:cycle:{pid}:M{seq}"
        rid = f"{pid}-M{seq:03d}"
        reported = end + timedelta(days=20)
        submitted = self.cycle.submit_report(
            cc.SubmitMonitoringReport(
                pid,
                start,
                end,
                cc.ActingAs(plan.participants[0].organisation_id),
                reported,
                values,
                self.docs(rid, K.MONITORING_REPORT),
            ),
            key=f"{key}:submit",
        )
        calc = submitted.calculation
        marks = submitted.illustrative
        self.say(
            f"{rid} monitoring report {start}…{end}: {calc.emission_reductions:,} tCO2 "
            f"calculated by {calc.methodology} v{calc.version}"
            + (f" (ILLUSTRATIVE: {', '.join(marks)} from no source)" if marks else "")
        )

        def step(action: str, by: str, days: int, *kinds: DocumentKind) -> MonitoringStepped:
            return self.cycle.monitoring_step(
                cc.MonitoringStep(
                    rid,
                    action,
                    cc.ActingAs(by),
                    reported + timedelta(days=days),
                    self.docs(rid, *kinds),
                ),
                key=f"{key}:{action}:{by}",
            )

        step("start_verification", "demo-tpe", 5)
        verified = step("verify", "demo-tpe", 30, K.VERIFICATION_REPORT)
        self.say(f"{rid} verified: {verified.verified_amount:,} tCO2")
        step("request_issuance", plan.participants[0].organisation_id, 35, K.ISSUANCE_REQUEST)
        step("accept_issuance_request", f"jc-sec-{partner}", 40)
        decided = step("decide", f"jc-{partner}", 60)
        self.say(f"{rid} JC decision {decided.decision}: {decided.decided_amount:,} tCO2")
        for manager in ("rm-jp", f"rm-{partner}"):
            done = step("record_issuance", manager, 70)
            issuance = done.issuance
            assert issuance is not None, "recording an issuance issues"
            self.say(
                f"{rid} issued {issuance.quantity:,} in {done.registry}: "
                f"{', '.join(issuance.serials)}"
            )
        return {"monitoring_period": rid, "decision": decided.decision, "state": done.state}


def run_cycle(
    cycle: CycleService,
    store: DocumentService,
    accounts: dict[str, str],
    say: Callable[[str], None],
    *,
    identity: IdentityService,
) -> list[dict[str, Any]]:
    define_demo_rule_book(cycle)
    say(
        f"rule book {DEMO_RULE_BOOK.version!r}: allows illustrative methodologies (placeholder "
        "defaults such as the chiller's reference COP), for this demonstration only; a "
        "production rule book refuses them"
    )
    enrol(identity, cycle, demo_cast(accounts))
    say("cycle actors registered: TPE, secretariats, JC members, registry managers, participants")
    walker = Walker(cycle, store, say)
    return [issued for plan in plans(accounts) for issued in walker.walk(plan)]
