"""The registry of methodology versions: ``get(id, version)``, ``latest(id)``, ``all()``.

A revision of a methodology is a new version under the same id (jcm_rules §1.3: an approved
methodology revision leads to "Ver2.0", "Ver3.0" [C:M6–M9]); older versions stay in the
registry, so a record computed under v1.0 can always be recomputed under v1.0.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from jcm.domain.errors import NotFound
from jcm.domain.methodologies.engine import Methodology

_VERSION_TEXT = re.compile(r"^(?:v|ver|version)?\s*([0-9]+\.[0-9]+)$", re.IGNORECASE)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def normalise_version(version: str) -> str:
    """ "Ver2.0", "v2.0", "ver02.0" (as Indonesian documents write it) and "2.0" all name
    version "2.0"."""
    match = _VERSION_TEXT.match(version.strip())
    if not match:
        return version.strip()
    major, _, minor = match.group(1).partition(".")
    return f"{int(major)}.{minor}"


class Registry:
    def __init__(self, methodologies: Iterable[Methodology] = ()) -> None:
        self._versions: dict[str, dict[str, Methodology]] = {}
        for methodology in methodologies:
            self.register(methodology)

    def register(self, methodology: Methodology) -> None:
        versions = self._versions.setdefault(methodology.id, {})
        if methodology.version in versions:
            raise ValueError(f"{methodology.key} is registered twice")
        versions[methodology.version] = methodology

    def versions(self, id: str) -> tuple[str, ...]:
        return tuple(sorted(self._versions.get(id.strip().upper(), {}), key=version_key))

    def get(self, id: str, version: str) -> Methodology:
        """One version, or ``M0_UNKNOWN_METHODOLOGY`` naming the versions that exist."""
        methodology_id = id.strip().upper()
        wanted = normalise_version(version)
        found = self._versions.get(methodology_id, {}).get(wanted)
        if found is None:
            known = self.versions(methodology_id)
            raise NotFound(
                "M0_UNKNOWN_METHODOLOGY",
                f"Methodology {id} version {version} is not in the registry; "
                + (
                    f"its versions are: {', '.join(known)}."
                    if known
                    else f"no version of {id} is registered."
                ),
                methodology=id,
                version=version,
                known_versions=list(known),
            )
        return found

    def latest(self, id: str) -> Methodology:
        known = self.versions(id)
        if not known:
            raise NotFound(
                "M0_UNKNOWN_METHODOLOGY",
                f"Methodology {id} is not in the registry.",
                methodology=id,
                known_versions=[],
            )
        return self._versions[id.strip().upper()][known[-1]]

    def all(self) -> tuple[Methodology, ...]:
        """Every version of every methodology, by id then version."""
        return tuple(
            versions[v]
            for id in sorted(self._versions)
            for versions in (self._versions[id],)
            for v in sorted(versions, key=version_key)
        )

    def find(self, country: str, families: Collection[str]) -> tuple[Methodology, ...]:
        """The latest version of each methodology of ``country`` in one of ``families``."""
        return tuple(
            self.latest(id)
            for id in sorted(self._versions)
            if id[:2] == country and self.latest(id).family.key in families
        )
