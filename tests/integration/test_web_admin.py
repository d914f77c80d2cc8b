"""The organisation's administration pages: users, API tokens and webhooks, under the
API's own rules (an organisation's people manage its tokens and webhooks; only the
platform administrator creates users), each secret shown once."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient
from web_support import API, ensure_organisation, sign_in, site

from jcm.bootstrap import App
from jcm.domain.cycle.actors import Role
from jcm.domain.identity.register import PLATFORM_ORGANISATION, GrantRole
from jcm.domain.registry import commands as c


def holder_org(app: App) -> str:
    app.registry.create_registry(c.CreateRegistry("KE"))
    return app.registry.create_organisation(c.CreateOrganisation("KE", "Solar Ltd")).organisation


def administrator(app: App) -> tuple[TestClient, str]:
    ensure_organisation(
        app, PLATFORM_ORGANISATION, GrantRole(PLATFORM_ORGANISATION, Role.ADMINISTRATOR)
    )
    client = site(app)
    return client, sign_in(client, app, PLATFORM_ORGANISATION, "site-admin")


def shown(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]+)<', html)
    assert found is not None, html
    return unescape(found.group(1))


def test_an_administrator_creates_a_user_whose_password_is_shown_once(app: App) -> None:
    org = holder_org(app)
    client, csrf = administrator(app)
    form = {"csrf_token": csrf, "organisation": org, "login": "amina", "name": "Amina K"}

    created = client.post("/organisation/users", data=form)
    listing = client.get(f"/organisation/users?organisation={org}")

    assert created.status_code == 200, created.text
    assert created.headers["cache-control"] == "no-store"
    password = shown(created.text, "one-time-password")
    assert len(password) >= 12
    assert listing.status_code == 200
    assert "amina" in listing.text
    assert password not in listing.text
    signed = site(app).post(f"{API}/session", json={"login": "amina", "password": password})
    assert signed.status_code == 201
    assert signed.json()["must_change_password"] is True


def test_an_administrator_creates_and_revokes_a_token_that_the_api_then_refuses(
    app: App,
) -> None:
    org = holder_org(app)
    client, csrf = administrator(app)
    form = {
        "csrf_token": csrf,
        "organisation": org,
        "name": "erp-sync",
        "scope": ["registry:read"],
        "expires_in_days": "30",
    }

    created = client.post("/organisation/tokens", data=form)
    token = shown(created.text, "new-token")
    listing = client.get(f"/organisation/tokens?organisation={org}")
    api = TestClient(client.app)
    bearer = {"Authorization": f"Bearer {token}"}
    before = api.get(f"{API}/accounts", headers=bearer)
    token_id = token.split("_")[1]
    revoked = client.post(
        f"/organisation/tokens/{token_id}/revoke", data={"csrf_token": csrf, "organisation": org}
    )
    after = api.get(f"{API}/accounts", headers=bearer)

    assert created.status_code == 200, created.text
    assert "erp-sync" in listing.text
    assert f"jcm_{token_id}_" in listing.text
    assert token not in listing.text
    assert before.status_code == 200
    assert revoked.status_code == 303
    assert revoked.headers["location"] == f"/organisation/tokens?organisation={org}"
    assert after.status_code == 401
    assert "Revoked" in client.get(f"/organisation/tokens?organisation={org}").text


def test_a_holder_subscribes_and_unsubscribes_a_webhook_with_its_secret_shown_once(
    app: App,
) -> None:
    org = holder_org(app)
    client = site(app)
    csrf = sign_in(client, app, org, "solar-admin")
    page = client.get("/organisation/webhooks")
    key = re.findall(r'name="idempotency_key" value="([^"]+)"', page.text)[0]
    form = {
        "csrf_token": csrf,
        "organisation": org,
        "url": "https://receiver.example/jcm",
        "event_type": ["units.retired", "units.cancelled"],
        "idempotency_key": key,
    }

    created = client.post("/organisation/webhooks", data=form)
    again = client.post("/organisation/webhooks", data=form)
    secret = shown(created.text, "signing-secret")
    subscription = shown(created.text, "new-subscription")
    listing = client.get("/organisation/webhooks")
    ended = client.post(
        f"/organisation/webhooks/{subscription}/unsubscribe",
        data={"csrf_token": csrf, "organisation": org},
    )
    after = client.get("/organisation/webhooks")

    assert page.status_code == 200
    assert created.status_code == 200, created.text
    assert shown(again.text, "new-subscription") == subscription  # a double submit: one
    assert subscription in listing.text
    assert secret not in listing.text
    assert ended.status_code == 303
    assert ended.headers["location"] == "/organisation/webhooks"
    assert f'id="unsubscribe-{subscription}"' not in after.text
    assert "Ended on" in after.text


def test_a_refused_change_shows_the_code_on_the_page(app: App) -> None:
    org = holder_org(app)
    client = site(app)
    csrf = sign_in(client, app, org, "solar-admin")

    bad_url = client.post(
        "/organisation/webhooks",
        data={"csrf_token": csrf, "url": "ftp://x", "event_type": ["units.retired"]},
    )
    too_wide = client.post(
        "/organisation/tokens",
        data={"csrf_token": csrf, "name": "t", "scope": ["registry:issue"]},
    )

    assert bad_url.status_code == 422
    assert 'id="refusal-code">W1_BAD_URL<' in bad_url.text
    assert too_wide.status_code == 403
    assert 'id="refusal-code">K2_SCOPE_NOT_ALLOWED<' in too_wide.text


def test_a_non_administrator_may_not_create_users_nor_see_another_organisation(
    app: App,
) -> None:
    org = holder_org(app)
    client = site(app)
    csrf = sign_in(client, app, org, "solar-clerk")
    ensure_organisation(app, "other-org")

    create = client.post(
        "/organisation/users",
        data={"csrf_token": csrf, "organisation": org, "login": "x1", "name": "X"},
    )
    reset = client.post(
        "/organisation/users/solar-clerk/password", data={"csrf_token": csrf, "organisation": org}
    )
    others = client.get("/organisation/tokens?organisation=other-org")
    own = client.get("/organisation/users")

    assert create.status_code == 403
    assert "K2_NOT_ORGANISATION_ADMIN" in create.text
    assert reset.status_code == 403
    assert others.status_code == 404
    assert "K4_NOT_VISIBLE" in others.text
    assert own.status_code == 200
    assert 'id="create-user"' not in own.text
    assert [u.login for u in app.identity.users(org)] == ["solar-clerk"]


def test_a_token_without_the_admin_scope_gets_403_and_a_form_without_csrf_too(
    app: App,
) -> None:
    org = holder_org(app)
    client = site(app)
    csrf = sign_in(client, app, org, "solar-admin")
    made = client.post(
        "/organisation/tokens",
        data={"csrf_token": csrf, "name": "reader", "scope": ["registry:read"]},
    )
    reader = {"Authorization": f"Bearer {shown(made.text, 'new-token')}"}

    by_token = TestClient(client.app).get("/organisation/tokens", headers=reader)
    no_csrf = client.post("/organisation/tokens", data={"name": "x", "scope": ["registry:read"]})

    assert by_token.status_code == 403
    assert "K2_MISSING_SCOPE" in by_token.text
    assert no_csrf.status_code == 403
    assert "K2_CSRF" in no_csrf.text
    assert [t.name for t in app.identity.tokens(org)] == ["reader"]


def test_anonymous_visitors_are_sent_to_sign_in(app: App) -> None:
    response = site(app).get("/organisation/users")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_an_organisations_own_administrator_creates_its_users_and_resets_their_passwords(
    app: App,
) -> None:
    org = holder_org(app)
    client = site(app)
    csrf = sign_in(client, app, org, "solar-admin", organisation_admin=True)
    sign_in(site(app), app, org, "solar-clerk")

    form = client.get("/organisation/users")
    made = client.post(
        "/organisation/users",
        data={"csrf_token": csrf, "login": "solar-deputy", "name": "Deputy",
              "organisation_admin": "yes"},
    )  # fmt: skip
    reset = client.post("/organisation/users/solar-clerk/password", data={"csrf_token": csrf})
    users = {u.login: u for u in app.identity.users(org)}

    assert 'id="create-user"' in form.text
    assert made.status_code == 200, made.text
    assert 'id="one-time-password"' in made.text
    assert reset.status_code == 200, reset.text
    assert users["solar-deputy"].organisation_admin
    assert not users["solar-clerk"].organisation_admin
    assert users["solar-clerk"].must_change_password


def test_an_organisations_administrator_grants_and_withdraws_the_flag_from_the_users_page(
    app: App,
) -> None:
    org = holder_org(app)
    client = site(app, language="ja")
    csrf = sign_in(client, app, org, "solar-admin", organisation_admin=True)
    clerk = site(app)
    clerk_csrf = sign_in(clerk, app, org, "solar-clerk")

    page = client.get("/organisation/users")
    granted = client.post(
        "/organisation/users/solar-clerk/organisation-admin",
        data={"csrf_token": csrf, "organisation_admin": "yes"},
    )
    after_grant = client.get("/organisation/users")
    by_clerk = clerk.post(  # the clerk, now an administrator, withdraws its own flag
        "/organisation/users/solar-clerk/organisation-admin",
        data={"csrf_token": clerk_csrf, "organisation_admin": "no"},
    )
    refused = clerk.post(  # ... and is refused the next change
        "/organisation/users/solar-admin/organisation-admin",
        data={"csrf_token": clerk_csrf, "organisation_admin": "no"},
    )

    assert "solar-clerk をこの組織の管理者にする" in page.text
    assert (granted.status_code, granted.headers["location"]) == (303, "/organisation/users")
    assert "solar-clerk の管理者権限を取り消す" in after_grant.text
    assert by_clerk.status_code == 303
    assert refused.status_code == 403
    assert "K2_NOT_ORGANISATION_ADMIN" in refused.text
    assert {u.login: u.organisation_admin for u in app.identity.users(org)} == {
        "solar-admin": True,
        "solar-clerk": False,
    }
