"""Users and API tokens, from the operator's console on the server.

A created user's one-time password and a created token are printed once (also with
--json); nothing else shown here is secret, and no hash is ever shown.
"""

from __future__ import annotations

from typing import Annotated

import typer

from jcm.domain.errors import InvalidInput
from jcm.domain.identity.principal import Scope
from jcm.entrypoints.cli.common import JsonOpt, cli, out, print_table, run, state
from jcm.entrypoints.cli.organisations import operator
from jcm.service_layer.identity.accounts import CreateUser
from jcm.service_layer.identity.results import (
    OrganisationAdminSet,
    PasswordReset,
    TokenCreated,
    TokenRevoked,
    TokenSummary,
    UserCreated,
    UserSummary,
)

user_cli = typer.Typer(help="People who log in: created with a one-time password.")
token_cli = typer.Typer(help="API tokens for machines: scoped, expiring, shown once.")
cli.add_typer(user_cli, name="user")
cli.add_typer(token_cli, name="token")

OrgOpt = Annotated[str | None, typer.Option("--organisation", help="Organisation id.")]


def _scope(text: str) -> Scope:
    try:
        return Scope(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            "K5_BAD_TOKEN",
            f"--scope {text!r} is not one of {', '.join(s.value for s in Scope)}.",
            scope=text[:40],
        ) from None


def _say_secret(what: str, secret: str, note: str) -> None:
    out.print(f"[green]✓[/] {what}")
    out.print(f"  {note}: {secret}", markup=False, highlight=False)
    out.print("  (shown once: it is not stored and cannot be shown again)")


@user_cli.command("create")
def user_create(
    login: Annotated[str, typer.Option("--login", help="The login, e.g. alice.")],
    organisation: OrgOpt = None,
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    administrator: Annotated[
        bool,
        typer.Option(
            "--administrator",
            help="A platform administrator (the platform organisation is made if absent).",
        ),
    ] = False,
    organisation_admin: Annotated[
        bool,
        typer.Option(
            "--organisation-admin",
            help="The user manages its organisation's people (users and their passwords).",
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Create a user; prints a one-time password to change at the first login."""

    def action() -> UserCreated:
        identity = state.app().identity
        if administrator == (organisation is not None):
            raise InvalidInput("K5_BAD_LOGIN", "Give either --organisation ORG or --administrator.")
        if administrator:
            return identity.create_administrator(login, name or login, operator())
        assert organisation is not None
        cmd = CreateUser(organisation, login, name or login, organisation_admin)
        return identity.create_user(cmd, operator())

    def render(r: UserCreated) -> None:
        _say_secret(
            f"user {r.login} ({r.user}) of {r.organisation} created",
            r.password,
            "one-time password (must be changed at the first login)",
        )

    run(json_out, action, render)


@user_cli.command("list")
def user_list(organisation: OrgOpt = None, json_out: JsonOpt = False) -> None:
    """List users (never a password or its hash)."""

    def render(rows: list[UserSummary]) -> None:
        print_table(
            "users",
            rows,
            ["user", "login", "organisation", "name", "status", "must_change_password",
             "second_factor"],
        )  # fmt: skip

    run(json_out, lambda: state.app().identity.users(organisation), render)


@user_cli.command("reset-password")
def user_reset_password(
    login: Annotated[str, typer.Argument(help="The user's login.")],
    json_out: JsonOpt = False,
) -> None:
    """Give a user a new one-time password (its sessions end)."""

    def render(r: PasswordReset) -> None:
        _say_secret(f"password of {r.login} reset", r.password, "one-time password")

    run(json_out, lambda: state.app().identity.reset_password(login, operator()), render)


@user_cli.command("organisation-admin")
def user_organisation_admin(
    login: Annotated[str, typer.Argument(help="The user's login.")],
    grant: Annotated[
        bool,
        typer.Option(
            "--grant/--withdraw",
            help="Grant the flag (the user manages its organisation's people) or withdraw it.",
        ),
    ],
    json_out: JsonOpt = False,
) -> None:
    """Grant or withdraw a user's organisation-administrator flag (a logged act; it
    takes effect at the user's next request)."""

    def render(r: OrganisationAdminSet) -> None:
        now = "an organisation administrator" if r.organisation_admin else "not an administrator"
        said = "is now" if r.changed else "already is"
        out.print(f"[green]✓[/] {r.login} ({r.organisation}) {said} {now}")

    run(
        json_out,
        lambda: state.app().identity.set_organisation_admin(login, grant, operator()),
        render,
    )


@token_cli.command("create")
def token_create(
    organisation: Annotated[str, typer.Option("--organisation", help="Organisation id.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")],
    scope: Annotated[list[str], typer.Option("--scope", help="A scope (repeat).")],
    expires_days: Annotated[int, typer.Option("--expires-days", help="1 to 366.")] = 90,
    json_out: JsonOpt = False,
) -> None:
    """Create an API token for an organisation; prints it once."""

    def action() -> TokenCreated:
        scopes = frozenset(_scope(s) for s in scope)
        return state.app().identity.create_token(
            operator(), organisation, name, scopes, expires_days
        )

    def render(r: TokenCreated) -> None:
        _say_secret(
            f"token {r.token_id} for {r.organisation} "
            f"({', '.join(s.value for s in r.scopes)}; expires {r.expires_at:%Y-%m-%d})",
            r.token,
            "token",
        )

    run(json_out, action, render)


@token_cli.command("list")
def token_list(organisation: OrgOpt = None, json_out: JsonOpt = False) -> None:
    """List API tokens (never the token or its hash)."""

    def render(rows: list[TokenSummary]) -> None:
        print_table(
            "API tokens",
            rows,
            ["token_id", "organisation", "name", "scopes", "expires_at", "revoked_at",
             "last_used_at"],
        )  # fmt: skip

    run(json_out, lambda: state.app().identity.tokens(organisation), render)


@token_cli.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's public id.")],
    json_out: JsonOpt = False,
) -> None:
    """Revoke an API token: it is refused from now on."""

    def render(r: TokenRevoked) -> None:
        out.print(f"[green]✓[/] token {r.token_id} of {r.organisation} revoked")

    run(json_out, lambda: state.app().identity.revoke_token(operator(), token_id), render)
