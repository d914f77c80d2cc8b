"""The signed-in organisation's work queue, and a participant's monitoring reports.

``GET /work`` lists what the organisation's cycle roles can act on next, from the same
``CycleService.work_queue`` as the API's ``GET /api/v1/work-queue`` (same rule: any cycle
role; others get 403): each open step with the documents it needs and a link to its action
page (``work_steps``). A participant also downloads the blank monitoring sheet of a
project's methodology and uploads the filled one as a monitoring report.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from jcm.bootstrap import monitoring_sheets
from jcm.domain import limits
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.documents import DocumentKind
from jcm.domain.identity.cycle_actions import CYCLE as RULES
from jcm.domain.identity.cycle_actions import METHODOLOGIES, Machine
from jcm.entrypoints.api.cycle_support import acting
from jcm.entrypoints.web import work_forms as wf
from jcm.entrypoints.web.pages import WebCallerDep
from jcm.entrypoints.web.render import page
from jcm.entrypoints.web.work_steps import (
    PERIOD_STEP,
    PROJECT_STEP,
    form_key,
    open_step,
    router,
)
from jcm.service_layer.cycle.queues import QueueItem
from jcm.service_layer.documents.service import Upload

__all__ = ["router"]

REPORT = "/work/projects/{project}/monitoring-report"
SHEET = "/work/projects/{project}/monitoring-sheet.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
State = Annotated[str | None, Query(max_length=40)]


def _entries(item: QueueItem) -> list[dict[str, Any]]:
    """One entry per open step of an item, with the page that takes it."""
    found = []
    for step in item.steps:
        if item.new_monitoring_period:
            href = REPORT.format(project=item.project)
        elif item.monitoring_period:
            href = PERIOD_STEP.format(period=item.monitoring_period, action=step.action)
        else:
            href = PROJECT_STEP.format(project=item.project, action=step.action)
        found.append(
            {
                "item": item,
                "step": step,
                "href": href,
                "subject": item.monitoring_period or item.project,
                "label": wf.STEP_LABELS.get(step.action, step.action),
            }
        )
    return found


@router.page("GET", "/work", access=RULES["work_queue"])
def work_queue(request: Request, caller: WebCallerDep, state: State = None) -> Response:
    assert caller.organisation is not None  # the rule admits no anonymous caller
    queue = caller.services.cycle.work_queue(caller.organisation, caller.roles, state)
    by_role: dict[str, list[dict[str, Any]]] = {role.value: [] for role in queue.roles}
    for item in queue.items:
        by_role.setdefault(item.role.value, []).extend(_entries(item))
    notice = wf.notice_of(request)
    values = {
        "organisation": caller.organisation,
        "by_role": by_role,
        "state": state or "",
        "notice": notice,
        "labels": wf.LABELS,
        "sheet": SHEET,
    }
    response = page(request, "work/queue.html", values)
    if notice is not None or wf.NOTICE_COOKIE in request.cookies:
        response.delete_cookie(wf.NOTICE_COOKIE, path=wf.QUEUE)  # shown once
    return response


# -- monitoring reports ---------------------------------------------------------------------
@router.page("GET", SHEET, access=METHODOLOGIES["methodology_sheet"], response_class=Response)
def monitoring_sheet(project: str, caller: WebCallerDep) -> Response:
    """The blank monitoring sheet (XLSX) of the project's methodology: one row per period."""
    methodology = caller.services.cycle.project(project)["methodology"]
    assert isinstance(methodology, dict)
    data, made = monitoring_sheets().template(
        str(methodology["id"]), str(methodology["version"]), "monitoring.xlsx"
    )
    filename = f"{project}-{made['methodology']}-monitoring.xlsx"
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.page("GET", REPORT, access=RULES["submit_report"])
def report_page(request: Request, project: str, caller: WebCallerDep) -> HTMLResponse:
    by = acting(caller, Machine.MONITORING, "submit_report", None)
    assert by.role is not None
    shown = caller.services.cycle.project(project)
    _item, step = open_step(caller, str(shown["id"]), None, "submit_report", by.role, new=True)
    values = {
        "project": shown,
        "step": step,
        "action_url": REPORT.format(project=shown["id"]),
        "sheet_url": SHEET.format(project=shown["id"]),
        "idempotency_key": wf.idempotency_key(),
        "labels": wf.LABELS,
    }
    return page(request, "work/report.html", values)


@router.page("POST", REPORT, access=RULES["submit_report"])
def submit_report(project: str, caller: WebCallerDep, form: wf.FormDep) -> Response:
    """As the API's monitoring-report upload: the sheet's row gives the period and the
    monitored values; the sheet itself is the report unless a report file is given."""
    by = acting(caller, Machine.MONITORING, "submit_report", None)
    sheet = wf.upload(form, "sheet")
    if sheet is None:
        raise wf.bad_field("sheet", "choose the filled monitoring sheet (.xlsx or .csv).")
    name = wf.upload_name(sheet, "monitoring-sheet.xlsx")
    data = sheet.file.read(limits.MAX_SHEET_BYTES + 1)
    picked = monitoring_sheets().period(data, name, wf.whole(form, "row"))
    documents = caller.services.documents.for_request()
    with documents.step():
        refs = wf.stage_documents(documents, form, [DocumentKind.MONITORING_REPORT.value])
        if not refs:
            kind = DocumentKind.MONITORING_REPORT
            refs = documents.stage(Upload(kind, data, wf.media_type(sheet), name))
        source = {"sheet": f"Sheet {picked.sheet!r} row {picked.row}", **picked.columns}
        cmd = cc.SubmitMonitoringReport(
            project,
            picked.start,
            picked.end,
            by,
            wf.day(form, "on"),
            tuple(picked.values.items()),
            refs,
            source,
            wf.whole(form, "reductions"),
        )
        result = caller.services.cycle.submit_report(cmd, form_key(caller, form))
    return wf.done("submit_report", result.monitoring_period)
