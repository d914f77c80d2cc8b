"""Digital MRV over HTTP: QA/QC runs and reports (access rules in
``jcm.domain.identity.mrv_actions``).

A run is the project participant's (``run_qa``; another organisation's token gets 404);
the cycle's roles read stored reports (``qa_reports``). The API never takes a Dask
scheduler address from the caller: a run over HTTP goes in the server's process.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query
from pydantic import Field

from jcm.domain.identity.mrv_actions import MRV
from jcm.entrypoints.api.routing import CallerDep, Router
from jcm.entrypoints.api.schemas import Body
from jcm.service_layer.mrv.qa import run_json, stored_json

router = Router(tags=["mrv"])


class QaRunBody(Body):
    start: dt.date = Field(alias="from", description="First day (UTC) of the period.")
    end: dt.date = Field(alias="to", description="Last day (UTC, inclusive).")


@router.endpoint("POST", "/mrv/projects/{project}/qa", access=MRV["run_qa"])
def run_qa(project: str, body: QaRunBody, caller: CallerDep) -> dict[str, Any]:
    """Run QA/QC and daily aggregation over the period: each device's report (expected
    intervals, readings, measured, excluded by rule, calibration reduction, credited) and
    its SHA-256; the reports and daily aggregates are stored, replacing an earlier run."""
    result = caller.services.mrv.qa.run(project, body.start, body.end)
    return run_json(result)


@router.endpoint("GET", "/mrv/projects/{project}/qa", access=MRV["qa_reports"])
def qa_reports(
    project: str,
    caller: CallerDep,
    start: Annotated[dt.date, Query(alias="from", description="First day of the window.")],
    end: Annotated[dt.date, Query(alias="to", description="Last day of the window.")],
) -> dict[str, Any]:
    """The stored QA reports of periods within [from, to], by device and period."""
    return stored_json(project, caller.services.mrv.qa.reports(project, start, end))
