"""The identity facade: the register of organisations and roles (users, sessions and API
tokens follow), for the CLI and the HTTP API alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from jcm.domain.cycle import codec
from jcm.domain.cycle import commands as cc
from jcm.domain.cycle.actors import Role
from jcm.domain.identity import register as reg
from jcm.domain.identity.credentials import IdentityPolicy, digest
from jcm.domain.identity.principal import Principal, Scope
from jcm.service_layer.identity import accounts as ac
from jcm.service_layer.identity import register as h
from jcm.service_layer.identity import sessions as se
from jcm.service_layer.identity.results import (
    OrganisationAdminSet,
    OrganisationRegistered,
    OrganisationSummary,
    PasswordReset,
    RoleGranted,
    RoleRevoked,
    SessionStarted,
    SessionStatus,
    TokenCreated,
    TokenRevoked,
    TokenSummary,
    TotpEnrolment,
    UserCreated,
    UserSummary,
)
from jcm.service_layer.ports import PasswordHasher, Totp, UnitOfWork, UnitOfWorkFactory
from jcm.service_layer.results import ChangeResult, JsonObject
from jcm.service_layer.runner import execute

C = TypeVar("C")
R = TypeVar("R", bound=ChangeResult)


class IdentityService:
    """Register, users, sessions and tokens. ``authenticate_session`` refuses a session that
    must still change its one-time password (``K2_PASSWORD_CHANGE_REQUIRED``) or owes its
    second factor (``K2_SECOND_FACTOR_REQUIRED``); ``session_status`` answers for those too
    (with the flags), for the steps they may take: change the password, enrol and confirm
    TOTP, log out."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        passwords: PasswordHasher,
        totp: Totp,
        policy: IdentityPolicy | None = None,
    ) -> None:
        self.uow = uow_factory
        self.passwords = passwords
        self.totp = totp
        self.policy = policy or IdentityPolicy()
        self._dummy_hash: str | None = None

    def _run(
        self,
        name: str,
        cmd: C,
        handler: Callable[[UnitOfWork, C, Principal], R],
        by: Principal,
        key: str | None,
        result_type: type[R],
    ) -> R:
        def attributed(read_only: bool = False, principal: Principal | None = None) -> UnitOfWork:
            # The register's entries record who took the step: ``by``.
            return self.uow(read_only, principal=principal or by)

        return execute(
            attributed, name, cmd, lambda u: handler(u, cmd, by), key, result_type=result_type
        )

    # -- the register ------------------------------------------------------------------------
    def register_organisation(
        self, cmd: reg.RegisterOrganisation, by: Principal, key: str | None = None
    ) -> OrganisationRegistered:
        """Register a new organisation (refused for an existing id: never an overwrite)."""
        return self._run(
            "register_organisation", cmd, h.register_organisation, by, key, OrganisationRegistered
        )

    def grant_role(self, cmd: reg.GrantRole, by: Principal, key: str | None = None) -> RoleGranted:
        """Grant a role the organisation does not hold (a JC member's needs ``decision``)."""
        return self._run("grant_role", cmd, h.grant_role, by, key, RoleGranted)

    def revoke_role(
        self, cmd: reg.RevokeRole, by: Principal, key: str | None = None
    ) -> RoleRevoked:
        return self._run("revoke_role", cmd, h.revoke_role, by, key, RoleRevoked)

    def register_actor(
        self, cmd: cc.RegisterActor, by: Principal, key: str | None = None
    ) -> RoleGranted:
        """Register the organisation if new and grant it the role (refused when held)."""
        return self._run("register_actor", cmd, h.register_actor, by, key, RoleGranted)

    def organisations(self, registry: str | None = None) -> list[OrganisationSummary]:
        """The register, each organisation with its roles; ``registry``: only its own."""
        home = registry.upper() if registry else None
        with self.uow(read_only=True) as uow:
            roles: dict[str, list[JsonObject]] = {}
            for actor in uow.identity.all_roles():
                roles.setdefault(actor.organisation_id, []).append(
                    cast(JsonObject, codec.actor_to_json(actor))
                )
            return [
                OrganisationSummary(o.id, o.name, o.registry, o.kind, tuple(roles.get(o.id, ())))
                for o in uow.identity.list_organisations()
                if home is None or o.registry == home
            ]

    def roles_of(self, organisation_id: str) -> frozenset[Role]:
        with self.uow(read_only=True) as uow:
            return h.roles_held(uow, organisation_id)

    def registries_administered(self, organisation_id: str) -> frozenset[str]:
        """The registries this organisation administers (its registry_admin roles)."""
        with self.uow(read_only=True) as uow:
            return frozenset(
                a.partner
                for a in uow.identity.roles(organisation_id)
                if a.role is Role.REGISTRY_ADMIN and a.partner is not None
            )

    # -- users -------------------------------------------------------------------------------
    def create_user(self, cmd: ac.CreateUser, by: Principal) -> UserCreated:
        """A user with a one-time password (in the result only) to change at first login."""
        return execute(
            self.uow,
            "create_user",
            cmd,
            lambda u: ac.create_user(u, cmd, by, self.passwords),
            None,
            result_type=UserCreated,
        )

    def create_administrator(self, login: str, name: str, by: Principal) -> UserCreated:
        """An administrator of the platform organisation (made, with its role, if absent)."""
        cmd = ac.CreateUser(reg.PLATFORM_ORGANISATION, login, name)
        return execute(
            self.uow,
            "create_administrator",
            cmd,
            lambda u: ac.create_administrator(u, cmd, by, self.passwords),
            None,
            result_type=UserCreated,
        )

    def reset_password(self, login: str, by: Principal) -> PasswordReset:
        """A new one-time password; the user's sessions end."""
        return execute(
            self.uow,
            "reset_password",
            {"login": login},
            lambda u: ac.reset_password(u, login, by, self.passwords),
            None,
            result_type=PasswordReset,
        )

    def set_organisation_admin(
        self, login: str, organisation_admin: bool, by: Principal, organisation: str | None = None
    ) -> OrganisationAdminSet:
        """Grant (True) or withdraw (False) a user's organisation-administrator flag;
        ``organisation``, when given, must be the user's (else the user is unknown)."""
        return execute(
            self.uow,
            "set_organisation_admin",
            {"login": login, "organisation_admin": organisation_admin},
            lambda u: ac.set_organisation_admin(u, login, organisation_admin, by, organisation),
            None,
            result_type=OrganisationAdminSet,
        )

    def users(self, organisation: str | None = None) -> list[UserSummary]:
        with self.uow(read_only=True) as uow:
            return [ac.user_summary(u) for u in uow.identity.list_users(organisation)]

    # -- sessions ----------------------------------------------------------------------------
    def login(
        self, login: str, password: str, client: str, totp: str | None = None
    ) -> SessionStarted:
        if self._dummy_hash is None:
            self._dummy_hash = self.passwords.hash(ac.one_time_password())
        with self.uow() as uow:
            outcome = se.login(
                uow,
                self.policy,
                self.passwords,
                self.totp,
                self._dummy_hash,
                (login, password, client, totp),
            )
            uow.commit()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def logout(self, session_token: str) -> None:
        with self.uow() as uow:
            uow.identity.delete_sessions(token_hash=digest(session_token))
            uow.commit()

    def session_status(self, session_token: str) -> SessionStatus:
        """Any valid session, restricted ones included (see the class docstring)."""
        with self.uow(read_only=True) as uow:
            return se.status(uow, self.policy, session_token)

    def authenticate_session(self, session_token: str) -> Principal:
        return se.authenticate(self.session_status(session_token))

    def check_csrf(self, session_token: str, csrf_token: str) -> None:
        with self.uow(read_only=True) as uow:
            se.check_csrf(uow, session_token, csrf_token)

    def change_password(self, session_token: str, old: str, new: str) -> None:
        with self.uow() as uow:
            se.change_password(uow, self.passwords, session_token, old, new)
            uow.commit()

    def enrol_totp(self, session_token: str) -> TotpEnrolment:
        with self.uow() as uow:
            enrolment = se.enrol_totp(uow, self.totp, session_token)
            uow.commit()
        return enrolment

    def confirm_totp(self, session_token: str, code: str) -> None:
        with self.uow() as uow:
            se.confirm_totp(uow, self.totp, session_token, code)
            uow.commit()

    # -- API tokens --------------------------------------------------------------------------
    def create_token(
        self,
        by: Principal,
        organisation_id: str,
        name: str,
        scopes: frozenset[Scope],
        expires_in_days: int,
    ) -> TokenCreated:
        cmd = ac.CreateToken(organisation_id, name, scopes, expires_in_days)
        return execute(
            self.uow,
            "create_token",
            cmd,
            lambda u: ac.create_token(u, cmd, by, self.policy),
            None,
            result_type=TokenCreated,
        )

    def revoke_token(self, by: Principal, token_id: str, key: str | None = None) -> TokenRevoked:
        return execute(
            self.uow,
            "revoke_token",
            {"token_id": token_id},
            lambda u: ac.revoke_token(u, token_id, by),
            key,
            result_type=TokenRevoked,
        )

    def tokens(self, organisation_id: str | None = None) -> list[TokenSummary]:
        with self.uow(read_only=True) as uow:
            return [ac.token_summary(t) for t in uow.identity.list_tokens(organisation_id)]

    def token_access(self, token: str) -> tuple[Principal, frozenset[Role], frozenset[str]]:
        """:meth:`authenticate_token`, with the organisation's roles and the registries it
        administers read in the same unit of work (one read per API request, not three)."""
        with self.uow(read_only=True) as uow:
            principal, touch = se.authenticate_token(uow, token, uow.now)
            actors = uow.identity.roles(principal.organisation_id)
        if touch and principal.token_id is not None:
            with self.uow() as uow:
                uow.identity.update_token(principal.token_id, last_used_at=uow.now)
                uow.commit()
        roles = frozenset(a.role for a in actors)
        administered = frozenset(
            a.partner for a in actors if a.role is Role.REGISTRY_ADMIN and a.partner is not None
        )
        return principal, roles, administered

    def authenticate_token(self, token: str) -> Principal:
        """The token's principal (``Channel.API``, its scopes within its organisation's
        current roles); unknown, malformed, expired or revoked alike: ``K1_UNAUTHENTICATED``."""
        with self.uow(read_only=True) as uow:
            principal, touch = se.authenticate_token(uow, token, uow.now)
        if touch and principal.token_id is not None:
            with self.uow() as uow:
                uow.identity.update_token(principal.token_id, last_used_at=uow.now)
                uow.commit()
        return principal
