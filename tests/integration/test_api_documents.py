"""Documents over HTTP: multipart uploads, public versions for everyone, confidential ones
only for those the rule book permits, and one 404 for absent and not permitted alike."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from api_support import is_problem
from cycle_api_support import (
    API,
    FACTS,
    JC,
    KE_PP,
    PP,
    SEC,
    TPE,
    CycleWorld,
    cycle_world,
    start_body,
)

from jcm.bootstrap import App
from jcm.domain.identity.principal import Scope

ABSENT = "0" * 64
SECRET = "PDD with the plant's full investment figures (confidential)\n"


@dataclass
class Pdd:
    world: CycleWorld
    public: str
    confidential: str


@pytest.fixture
def d(app: App) -> Iterator[Pdd]:
    """KE001 with a PDD submitted in two versions: public and confidential."""
    w = cycle_world(app)
    response = w.client.post(
        f"{API}/projects", json=start_body(w, date(2022, 6, 1)), headers=w.as_(PP)
    )
    assert response.status_code == 201, response.text
    assert w.project_step(JC, "decide-no-objection", date(2022, 7, 1)).status_code == 200
    pdd = w.upload(PP, "pdd", "PDD, figures made illegible\n", confidential=SECRET)
    public, confidential = pdd["public"]["sha256"], pdd["confidential"]["sha256"]
    documents = [
        {"kind": "pdd", "sha256": public},
        {"kind": "pdd", "sha256": confidential},
        *w.attach(PP, "modalities_of_communication", "monitoring_plan"),
    ]
    step = w.client.post(
        f"{API}/projects/KE001/steps",
        json={"action": "submit-pdd", "on": "2022-07-31", "documents": documents, "facts": FACTS},
        headers=w.as_(PP),
    )
    assert step.status_code == 200, step.text
    yield Pdd(w, public, confidential)
    w.client.close()


def read(d: Pdd, sha256: str, org: str | None, project: str | None = "KE001") -> httpx.Response:
    query = f"?project={project}" if project else ""
    headers = d.world.as_(org) if org else {}
    response: httpx.Response = d.world.client.get(
        f"{API}/documents/{sha256}{query}", headers=headers
    )
    return response


def test_the_confidential_version_is_read_by_those_the_rule_book_permits(d: Pdd) -> None:
    readers = [PP, KE_PP, SEC, JC]

    answers = [read(d, d.confidential, org) for org in readers]

    assert [a.status_code for a in answers] == [200] * len(readers)
    assert all(a.content == SECRET.encode() for a in answers)


def test_a_confidential_version_is_404_to_others_exactly_as_an_absent_document(
    d: Pdd,
) -> None:
    refused = [
        read(d, d.confidential, org)
        for org in ("rm-jp", "jc-id", "other-pp", TPE, None)  # TPE: not yet engaged
    ]
    refused.append(read(d, d.confidential, PP, project=None))  # no project named
    absent = read(d, ABSENT, PP)

    assert all(is_problem(r, 404, "K4_NOT_VISIBLE") for r in [*refused, absent])
    # The answer names only the hash the caller gave: the same text once that is set aside.
    for answer in refused:
        assert answer.json()["detail"].replace(d.confidential, ABSENT) == absent.json()["detail"]
        assert answer.json()["details"] == {"sha256": d.confidential}
        assert absent.json()["details"] == {"sha256": ABSENT}
        assert answer.headers.keys() == absent.headers.keys()


def test_public_versions_are_open_to_everyone_and_the_project_lists_only_them(d: Pdd) -> None:
    anonymous = read(d, d.public, None, project=None)
    project = d.world.client.get(f"{API}/projects/KE001").json()

    listed = {doc["sha256"] for doc in project["documents"]}
    history = {doc["sha256"] for h in project["history"] for doc in h["documents"]}
    assert anonymous.status_code == 200
    assert d.public in listed
    assert d.public in history
    assert d.confidential not in listed | history
    assert d.confidential not in str(project)


def test_an_attached_confidential_version_cannot_be_attached_elsewhere_by_its_hash(
    d: Pdd,
) -> None:
    w = d.world
    body = {
        **start_body(w, date(2022, 6, 1)),
        "project": "KE002",
        "participants": [{"organisation": "other-pp", "side": "japan", "focal_point": True}],
    }
    stolen = {**body, "documents": [*body["documents"], {"kind": "pdd", "sha256": d.confidential}]}
    absent = {**body, "documents": [*body["documents"], {"kind": "pdd", "sha256": ABSENT}]}

    first = w.client.post(f"{API}/projects", json=stolen, headers=w.as_("other-pp"))
    second = w.client.post(f"{API}/projects", json=absent, headers=w.as_("other-pp"))

    assert is_problem(first, 404, "K4_NOT_VISIBLE")
    assert is_problem(second, 404, "K4_NOT_VISIBLE")
    assert first.json()["details"] == {"sha256": d.confidential}  # only what was sent
    assert second.json()["details"] == {"sha256": ABSENT}
    assert w.client.get(f"{API}/projects/KE002").status_code == 404


def test_uploads_need_a_cycle_role_and_scope_and_take_no_server_path(app: App) -> None:
    w = cycle_world(app, scopes={PP: frozenset({Scope.REGISTRY_READ})})
    files = {"file": ("pdd.txt", b"a PDD\n", "text/plain")}

    anonymous = w.client.post(f"{API}/documents", data={"kind": "pdd"}, files=files)
    unscoped = w.client.post(
        f"{API}/documents", data={"kind": "pdd"}, files=files, headers=w.as_(PP)
    )
    a_path = w.client.post(
        f"{API}/documents",
        data={"kind": "pdd", "path": "/etc/passwd"},
        files=files,
        headers=w.as_(TPE),
    )
    no_file = w.client.post(
        f"{API}/documents", data={"kind": "pdd", "file": "/etc/passwd"}, headers=w.as_(TPE)
    )

    assert is_problem(anonymous, 401, "K1_UNAUTHENTICATED")
    assert is_problem(unscoped, 403, "K2_MISSING_SCOPE")
    assert is_problem(a_path, 422, "H2_BAD_REQUEST")
    assert is_problem(no_file, 422, "H2_BAD_REQUEST")
    w.client.close()
