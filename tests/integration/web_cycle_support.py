"""A cycle world for the work pages: KE001 registered through the API (each step with its
organisation's token, as the API cycle tests do), and a browser per organisation signed in
through the sign-in page's session."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import httpx
from cycle_api_support import API, FACTS, JC, PP, SEC, TPE, CycleWorld, filled_xlsx, start_body
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from web_support import sign_in, site

from jcm.bootstrap import App
from jcm.entrypoints.web.pages import CSRF_FIELD

__all__ = ["JC", "PP", "SEC", "TPE", "Browser", "monitoring_xlsx", "register_ke001"]


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def register_ke001(w: CycleWorld) -> None:
    """KE001 from PIN to registration, each step by its organisation's token."""
    ok(
        w.client.post(f"{API}/projects", json=start_body(w, date(2022, 6, 1)), headers=w.as_(PP)),
        201,
    )
    fixed = {"P_PV": {"value": "1000", "unit": "kW"}}
    kinds = ("pdd", "modalities_of_communication", "monitoring_plan")
    steps: list[tuple[str, str, date, tuple[str, ...], dict[str, Any]]] = [
        (JC, "decide-no-objection", date(2022, 7, 1), (), {}),
        (PP, "submit-pdd", date(2022, 7, 31), kinds, {"facts": FACTS, "fixed": fixed}),
        (TPE, "open-public-input", date(2022, 8, 5), (), {}),
        (TPE, "start-validation", date(2022, 9, 4), (), {}),
        (TPE, "validate", date(2022, 10, 4), ("validation_report",), {}),
    ]
    for org, action, on, attach, extra in steps:
        ok(w.project_step(org, action, on, *attach, **extra))
    shares = [
        {"account": w.accounts["jp_gov"], "percent": "50"},
        {"account": w.accounts["ke_pp"], "percent": "40"},
        {"account": w.accounts["ke_gov"], "percent": "10"},
    ]
    ok(
        w.project_step(
            PP,
            "request-registration",
            date(2022, 10, 14),
            "registration_request",
            "credit_allocation_form",
            shares=shares,
        )
    )
    ok(w.project_step(SEC, "accept-registration-request", date(2022, 10, 19)))
    ok(w.project_step(JC, "register", date(2022, 11, 13)))


def monitoring_xlsx(browser: Browser, project: str = "KE001") -> bytes:
    """The blank sheet the work page hands out, filled with one monitoring period."""
    blank = browser.client.get(f"/work/projects/{project}/monitoring-sheet.xlsx")
    assert blank.status_code == 200, blank.text
    load_workbook(io.BytesIO(blank.content))  # it is a workbook
    return filled_xlsx(blank.content, [[date(2023, 1, 1), date(2023, 12, 31), 1648.3]])


class Browser:
    """One organisation's person, signed in, using the pages as a browser would."""

    def __init__(self, app: App, org: str, login: str, language: str = "en") -> None:
        self.client: TestClient = site(app, language=language)
        self.org = org
        self.csrf = sign_in(self.client, app, org, login)

    def get(self, path: str) -> httpx.Response:
        response: httpx.Response = self.client.get(path)
        return response

    def form_key(self, path: str) -> str:
        """The idempotency key the page's form carries."""
        page = self.get(path)
        assert page.status_code == 200, page.text
        found = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
        assert found is not None, page.text
        return found.group(1)

    def post(
        self,
        path: str,
        fields: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        *,
        csrf: bool = True,
    ) -> httpx.Response:
        data = dict(fields or {})
        if csrf:
            data[CSRF_FIELD] = self.csrf
        response: httpx.Response = self.client.post(path, data=data, files=files)
        return response
