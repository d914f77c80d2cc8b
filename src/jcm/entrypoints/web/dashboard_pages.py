"""The public dashboard: credits by partner, sector and fiscal year from the ledger, the
programme's published reductions beside them, progress to the FY2030 target, partner
countries over time and the projects' funnel. Each chart is server-side SVG followed by a
table of the same numbers; ``/dashboard.json`` gives the figures to machines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import format_compact_decimal, format_percent
from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup

from jcm.domain.identity.access import PUBLIC
from jcm.domain.programme.facts import ProgrammeFact
from jcm.domain.programme.figures import FlowTotals, Stage, fiscal_year_of
from jcm.entrypoints.web import i18n
from jcm.entrypoints.web.charts import (
    BarChart,
    Formats,
    FunnelChart,
    Line,
    LineChart,
    Number,
    Series,
    bar_chart,
    funnel_chart,
    line_chart,
)
from jcm.entrypoints.web.i18n import N_
from jcm.entrypoints.web.pages import PageRouter, WebCallerDep
from jcm.entrypoints.web.render import locale_of, page
from jcm.service_layer.public.dashboard import DashboardFigures
from jcm.service_layer.results import to_json

router = PageRouter()

FLOW_LABELS = (N_("Issued"), N_("Cancelled"), N_("Retired"))

# The sectoral scopes of JCM (and CDM) projects; a project in the cycle has one.
SCOPES = {
    1: N_("Energy industries"),
    2: N_("Energy distribution"),
    3: N_("Energy demand"),
    4: N_("Manufacturing industries"),
    5: N_("Chemical industries"),
    6: N_("Construction"),
    7: N_("Transport"),
    8: N_("Mining and mineral production"),
    9: N_("Metal production"),
    10: N_("Fugitive emissions from fuels"),
    11: N_("Fugitive emissions from halocarbons and sulphur hexafluoride"),
    12: N_("Solvent use"),
    13: N_("Waste handling and disposal"),
    14: N_("Afforestation and reforestation"),
    15: N_("Agriculture"),
}

STAGES = {
    Stage.FUNDED: N_("Funded"),
    Stage.OPERATING: N_("Operating"),
    Stage.REGISTERED: N_("Registered"),
    Stage.ISSUED: N_("Credits issued"),
}

REFERENCE_LABELS = {
    "portfolio_reductions": N_("Reductions achieved by the programme's projects (published)"),
    "programme_credits_issued": N_("JCM credits issued by the programme (published)"),
}


@dataclass(frozen=True)
class Words:
    """Translation and number formatting in one locale, for text built here."""

    locale: str

    def _(self, message: str, **values: Any) -> str:
        text = i18n.translations(self.locale).gettext(message)
        return text % values if values else text

    def number(self, value: Number) -> str:
        return i18n.number(value, self.locale)

    def short(self, value: Number) -> str:
        return format_compact_decimal(value, locale=self.locale, fraction_digits=1)

    def percent(self, value: Decimal) -> str:
        return format_percent(value / 100, "#,##0.##%", locale=self.locale)

    def day(self, value: date) -> str:
        return i18n.day(value, self.locale)

    def formats(self) -> Formats:
        return Formats(self.number, self.short, self._("No data yet."))

    def fiscal_year(self, fy: int | str) -> str:
        return self._("FY%(year)s", year=fy)

    def sector(self, key: str) -> str:
        kind, _, rest = key.partition(":")
        if kind == "scope" and rest.isdigit() and int(rest) in SCOPES:
            return self._("Scope %(number)s: %(name)s", number=rest, name=self._(SCOPES[int(rest)]))
        if kind == "sector":
            return self._(rest)  # the funded portfolio's own sector names
        return self._("Sector not known")


@router.page("GET", "/dashboard", access=PUBLIC)
def dashboard(request: Request, caller: WebCallerDep) -> HTMLResponse:
    figures = caller.services.public.dashboard.figures()
    w = Words(locale_of(request))
    return page(request, "dashboard/dashboard.html", context(figures, w))


@router.page("GET", "/dashboard.json", access=PUBLIC, response_class=JSONResponse)
def dashboard_json(caller: WebCallerDep) -> JSONResponse:
    return JSONResponse(to_json(caller.services.public.dashboard.figures()))


def context(f: DashboardFigures, w: Words) -> dict[str, Any]:
    fmt = w.formats()
    country = lambda code: i18n.country_name(code, w.locale)  # noqa: E731
    return {
        "f": f,
        "w": w,
        "by_partner": _flows(f.credits.by_partner, country),
        "by_sector": _flows(f.credits.by_sector, w.sector),
        "by_year": _flows(f.credits.by_fiscal_year, w.fiscal_year),
        "charts": {
            "partner": _flow_chart(
                "partner", w._("Credits by partner country"), f.credits.by_partner, country, w, fmt
            ),
            "sector": _flow_chart(
                "sector", w._("Credits by sector"), f.credits.by_sector, w.sector, w, fmt
            ),
            "year": _flow_chart(
                "year",
                w._("Credits by fiscal year"),
                f.credits.by_fiscal_year,
                w.fiscal_year,
                w,
                fmt,
            ),
            "reductions": _reductions_chart(f, w, fmt),
            "target": _target_chart(f, w, fmt),
            "partners": _partners_chart(f, w, fmt),
            "funnel": _funnel_chart(f, w, fmt),
        },
        "reference": [(w._(REFERENCE_LABELS[r.key]), r) for r in f.reductions],
        "stages": [(w._(STAGES[s.stage]), s) for s in f.funnel],
        "stage_reference": {r.key: r for r in f.funnel_reference},
        "sources": _sources(f),
    }


def _flows(rows: Sequence[FlowTotals], label: Any) -> list[tuple[str, FlowTotals]]:
    return [(str(label(r.key)), r) for r in rows]


def _flow_chart(
    ident: str, title: str, rows: Sequence[FlowTotals], label: Any, w: Words, fmt: Formats
) -> Markup:
    chart = BarChart(
        ident,
        title,
        w._(
            "Credits issued, cancelled and retired in this registry, in tonnes of CO2, "
            "%(count)s categories; the table below gives the same numbers.",
            count=len(rows),
        ),
        tuple(str(label(r.key)) for r in rows),
        tuple(
            Series(w._(name), tuple(getattr(r, field) for r in rows))
            for name, field in zip(FLOW_LABELS, ("issued", "cancelled", "retired"), strict=True)
        ),
    )
    return bar_chart(chart, fmt)


def _reductions_chart(f: DashboardFigures, w: Words, fmt: Formats) -> Markup:
    rows = [(w._(REFERENCE_LABELS[r.key]), int(r.value)) for r in f.reductions]
    rows.append((w._("Credits issued in this registry (ledger)"), f.issued_here))
    chart = BarChart(
        "reductions",
        w._("Reductions of the funded projects against credits issued"),
        w._(
            "Published reductions of the programme's projects and credits issued, in tonnes "
            "of CO2, against credits issued in this registry: %(here)s.",
            here=w.number(f.issued_here),
        ),
        tuple(label for label, _ in rows),
        (Series(w._("Tonnes of CO2"), tuple(value for _, value in rows)),),
    )
    return bar_chart(chart, fmt)


def _day_x(day: date) -> float:
    return float(day.toordinal())


def _target_chart(f: DashboardFigures, w: Words, fmt: Formats) -> Markup:
    t = f.target
    first = t.cumulative[0][0] if t.cumulative else fiscal_year_of(f.today)
    last = fiscal_year_of(t.target.by)
    ticks = tuple((_day_x(date(fy, 4, 1)), w.fiscal_year(fy)) for fy in range(first, last + 2, 1))[
        : last - first + 1
    ]
    actual = tuple((_day_x(min(date(fy + 1, 3, 31), f.today)), value) for fy, value in t.cumulative)
    lines = [Line(w._("Credits issued in this registry, cumulative"), actual)]
    if t.path:
        lines.append(
            Line(
                w._("Straight line needed from today"),
                tuple((_day_x(d), v) for d, v in t.path),
            )
        )
    chart = LineChart(
        "target",
        w._("Cumulative progress to the FY2030 target"),
        w._(
            "%(achieved)s tonnes of CO2 issued, %(share)s of the target of %(target)s by "
            "%(by)s; %(per_year)s tonnes a year are needed from today.",
            achieved=w.number(t.progress.achieved),
            share=w.percent(t.progress.share),
            target=w.number(t.progress.target),
            by=w.day(t.progress.by),
            per_year=w.number(t.progress.per_year_needed),
        ),
        tuple(lines),
        ticks,
        (
            t.progress.target,
            w._("Target: %(value)s t CO2 by FY2030", value=w.short(t.progress.target)),
        ),
    )
    return line_chart(chart, fmt)


def _partners_chart(f: DashboardFigures, w: Words, fmt: Formats) -> Markup:
    p = f.partners
    series = tuple((float(year), count) for year, count in p.series)
    chart = LineChart(
        "partners",
        w._("Partner countries over time"),
        w._(
            "Partner countries at the end of each year, from %(first)s (%(first_count)s) to "
            "%(last)s (%(last_count)s), against the target of %(target)s by %(by)s.",
            first=p.series[0][0] if p.series else "",
            first_count=p.series[0][1] if p.series else 0,
            last=p.series[-1][0] if p.series else "",
            last_count=p.series[-1][1] if p.series else 0,
            target=w.number(p.target.value),
            by=p.target.by.year,
        ),
        (Line(w._("Partner countries"), series),),
        tuple((float(year), str(year)) for year, _ in p.series),
        (
            p.target.value,
            w._(
                "Target: about %(value)s countries by %(year)s",
                value=w.number(p.target.value),
                year=p.target.by.year,
            ),
        ),
    )
    return line_chart(chart, fmt)


def _funnel_chart(f: DashboardFigures, w: Words, fmt: Formats) -> Markup:
    chart = FunnelChart(
        "funnel",
        w._("Projects by stage"),
        w._(
            "Projects that reached each stage: funded, operating, registered, credits issued; "
            "the table below gives the same numbers."
        ),
        tuple(
            (
                w._(
                    "%(stage)s: %(count)s projects (%(share)s)",
                    stage=w._(STAGES[s.stage]),
                    count=w.number(s.projects),
                    share=w.percent(s.share),
                ),
                s.projects,
            )
            for s in f.funnel
        ),
    )
    return funnel_chart(chart, fmt)


def _sources(f: DashboardFigures) -> list[str]:
    facts: list[ProgrammeFact] = [*f.reductions, *f.funnel_reference]
    named = [f.target.target.source, f.partners.target.source, *(x.source for x in facts)]
    named += [d.known_from.source for d in f.partners.partners if d.known_from is not None]
    return list(dict.fromkeys(named))
