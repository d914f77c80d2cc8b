"""Registering cooperative approaches, authorisations and authorised entities (logged).

Each change runs in one unit of work (``runner.execute``: idempotency keys, retries), is
judged by the register's access rules (``jcm.domain.identity.aef_actions.REGISTER``: an
approach is the platform administrator's, an authorisation or entity the authorising
Party's registry administrator's), stores the record and appends its log entry, whose
change is the record's JSON (``jcm.domain.aef.register_json``). Nothing is overwritten: an
amended authorisation is a new version. Reads are public.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar, cast

from jcm.domain import limits
from jcm.domain import methodologies as catalogue
from jcm.domain.aef import register_rules as rules
from jcm.domain.aef.register import Authorisation, AuthorisedEntity, CooperativeApproach
from jcm.domain.aef.register_commands import (
    RegisterApproach,
    RegisterAuthorisation,
    RegisterEntity,
    authorisation_of_command,
    entity_of_command,
)
from jcm.domain.aef.register_json import approach_json, authorisation_json, entity_json
from jcm.domain.errors import JcmError
from jcm.domain.identity.aef_actions import REGISTER
from jcm.service_layer.aef.ports import AefUnitOfWork, AefUnitOfWorkFactory
from jcm.service_layer.aef.register_results import (
    AUTHORISATION_AMENDED,
    AUTHORISATION_REGISTERED,
    ApproachRegistered,
    AuthorisationHistory,
    AuthorisationRegistered,
    EntityRegistered,
)
from jcm.service_layer.authority import check_may
from jcm.service_layer.cycle.lookups import project_or_404
from jcm.service_layer.ports import UnitOfWork, UnitOfWorkFactory
from jcm.service_layer.results import ChangeResult
from jcm.service_layer.runner import execute

R = TypeVar("R", bound=ChangeResult)


class RegisterService:
    def __init__(self, uow: AefUnitOfWorkFactory) -> None:
        self.uow = uow

    def _run(
        self,
        name: str,
        cmd: object,
        handler: Callable[[AefUnitOfWork], R],
        key: str | None,
        result_type: type[R],
    ) -> R:
        def run(u: UnitOfWork) -> R:
            return handler(cast(AefUnitOfWork, u))

        factory = cast(UnitOfWorkFactory, self.uow)
        return execute(factory, name, cmd, run, key, result_type=result_type)

    # -- changes ------------------------------------------------------------------------------
    def register_approach(
        self, cmd: RegisterApproach, key: str | None = None
    ) -> ApproachRegistered:
        return self._run(
            "register_approach", cmd, lambda u: register_approach(u, cmd), key, ApproachRegistered
        )

    def register_authorisation(
        self, cmd: RegisterAuthorisation, key: str | None = None
    ) -> AuthorisationRegistered:
        return self._run(
            "register_authorisation",
            cmd,
            lambda u: register_authorisation(u, cmd, amend=False),
            key,
            AuthorisationRegistered,
        )

    def amend_authorisation(
        self, cmd: RegisterAuthorisation, key: str | None = None
    ) -> AuthorisationRegistered:
        """A new version (latest + 1) with the terms ``cmd`` gives, whole."""
        return self._run(
            "amend_authorisation",
            cmd,
            lambda u: register_authorisation(u, cmd, amend=True),
            key,
            AuthorisationRegistered,
        )

    def register_entity(self, cmd: RegisterEntity, key: str | None = None) -> EntityRegistered:
        return self._run(
            "register_entity", cmd, lambda u: register_entity(u, cmd), key, EntityRegistered
        )

    # -- reads (public) -----------------------------------------------------------------------
    def approaches(self) -> list[CooperativeApproach]:
        with self.uow(read_only=True) as uow:
            return uow.aef_register.approaches()

    def approach(self, approach_id: str) -> CooperativeApproach:
        with self.uow(read_only=True) as uow:
            return approach_or_404(uow, approach_id)

    def authorisations(self, party: str | None = None) -> list[Authorisation]:
        """The latest version of each authorisation (of one Party), by id."""
        with self.uow(read_only=True) as uow:
            return uow.aef_register.authorisations(_party_filter(party))

    def authorisation(self, authorisation_id: str) -> AuthorisationHistory:
        with self.uow(read_only=True) as uow:
            versions = versions_or_404(uow, authorisation_id)
            return AuthorisationHistory(versions[-1].id, versions[-1], tuple(versions))

    def entities(self, party: str | None = None) -> list[AuthorisedEntity]:
        with self.uow(read_only=True) as uow:
            return uow.aef_register.entities(_party_filter(party))

    def entity(self, entity_id: str) -> AuthorisedEntity:
        with self.uow(read_only=True) as uow:
            found = uow.aef_register.entity(entity_id.strip())
            if found is None:
                raise rules.unknown_entity(entity_id)
            return found


def _party_filter(party: str | None) -> str | None:
    return None if party is None else limits.check_country(party, "party")


# -- look-ups -------------------------------------------------------------------------------------


def approach_or_404(uow: AefUnitOfWork, approach_id: str) -> CooperativeApproach:
    found = uow.aef_register.approach(approach_id.strip().upper())
    if found is None:
        raise rules.unknown_approach(approach_id)
    return found


def versions_or_404(
    uow: AefUnitOfWork, authorisation_id: str, *, lock: bool = False
) -> list[Authorisation]:
    versions = uow.aef_register.authorisation_versions(authorisation_id.strip(), lock=lock)
    if not versions:
        raise rules.unknown_authorisation(authorisation_id)
    return versions


# -- handlers -------------------------------------------------------------------------------------


def register_approach(uow: AefUnitOfWork, cmd: RegisterApproach) -> ApproachRegistered:
    check_may(uow, "register_approach", rules=REGISTER)
    approach = rules.build_approach(cmd)
    store = uow.aef_register
    if store.approach(approach.id) is not None:
        raise rules.approach_exists(approach.id)
    existing = store.approach_of_partner(approach.partner)
    if existing is not None:
        raise rules.partner_has_approach(approach.partner, existing.id)
    store.add_approach(approach, uow.now)
    result = ApproachRegistered(approach)
    uow.ledger.add_event(result.event, None, approach_json(approach), uow.now)
    return result


def register_authorisation(
    uow: AefUnitOfWork, cmd: RegisterAuthorisation, *, amend: bool
) -> AuthorisationRegistered:
    approach = approach_or_404(uow, cmd.approach_id)
    party = approach.partner if cmd.party is None else limits.check_country(cmd.party, "party")
    check_may(
        uow,
        "amend_authorisation" if amend else "register_authorisation",
        registry=party,
        rules=REGISTER,
    )
    rules.check_authorisation_id(cmd.id.strip())
    sectors, activity_types = _project_sectors(uow, cmd, party)
    new = authorisation_of_command(cmd, party, uow.now.date(), sectors, activity_types)
    new = rules.check_authorisation(_with_approach(new, approach), approach, uow.now.date())
    versions = uow.aef_register.authorisation_versions(new.id, lock=True)
    if amend and not versions:
        raise rules.unknown_authorisation(new.id)
    if not amend and versions:
        raise rules.authorisation_exists(new.id)
    if versions:
        new = rules.next_version(new, versions[-1])
    _check_entities(uow, new)
    uow.aef_register.add_authorisation(new, uow.now)
    kind = AUTHORISATION_AMENDED if amend else AUTHORISATION_REGISTERED
    result = AuthorisationRegistered(new, kind)
    uow.ledger.add_event(result.event, None, authorisation_json(new), uow.now)
    return result


def _with_approach(authorisation: Authorisation, approach: CooperativeApproach) -> Authorisation:
    return replace(authorisation, approach_id=approach.id)


def _project_sectors(
    uow: AefUnitOfWork, cmd: RegisterAuthorisation, party: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The sectors and activity types of the projects' methodology families."""
    if cmd.sectors and cmd.activity_types:
        return (), ()
    families = []
    for project_id in cmd.projects:
        project = project_or_404(uow, project_id)
        if project.partner != party:
            raise rules.foreign_project(project.id, party)
        try:
            methodology = catalogue.get(project.methodology_id, project.methodology_version)
        except JcmError:
            continue  # no executable version: it gives no sector
        families.append(methodology.family.key)
    return rules.sectors_of_families(families)


def _check_entities(uow: AefUnitOfWork, authorisation: Authorisation) -> None:
    for entity_id in authorisation.authorised_entities:
        entity = uow.aef_register.entity(entity_id)
        if entity is None or entity.approach_id != authorisation.approach_id:
            raise rules.unknown_entity(entity_id, "R2_UNKNOWN_ENTITY")


def register_entity(uow: AefUnitOfWork, cmd: RegisterEntity) -> EntityRegistered:
    approach = approach_or_404(uow, cmd.approach_id)
    party = approach.partner if cmd.party is None else limits.check_country(cmd.party, "party")
    check_may(uow, "register_entity", registry=party, rules=REGISTER)
    organisation_id = (cmd.organisation_id or "").strip() or None
    country = cmd.country.strip().upper()
    if organisation_id is not None:
        limits.check_text(organisation_id, "organisation_id", limits.IDENTIFIER)
        organisation = uow.ledger.get_organisation(organisation_id)
        if organisation is None:
            raise rules.unknown_organisation(organisation_id)
        if not country and organisation.registry:
            country = limits.alpha_3(organisation.registry)
    entity = entity_of_command(cmd, party, country, uow.now.date())
    entity = rules.check_entity(
        _entity_in(entity, approach, organisation_id), approach, uow.now.date()
    )
    if uow.aef_register.entity(entity.id) is not None:
        raise rules.entity_exists(entity.id)
    uow.aef_register.add_entity(entity, uow.now)
    result = EntityRegistered(entity)
    uow.ledger.add_event(result.event, None, entity_json(entity), uow.now)
    return result


def _entity_in(
    entity: AuthorisedEntity, approach: CooperativeApproach, organisation_id: str | None
) -> AuthorisedEntity:
    return replace(entity, approach_id=approach.id, organisation_id=organisation_id)
