"""Who may read the transparency log and registry statistics: the public, without login.

The log's public keys, its signed checkpoints, inclusion and consistency proofs and the
offline-verifiable bundles exist so that anyone can check the registry without trusting
it; per-registry statistics are what the registry publishes. Every route here is public.
"""

from __future__ import annotations

from jcm.domain.identity.access import PUBLIC, AccessRule

TRANSPARENCY: dict[str, AccessRule] = {
    "log_public_keys": PUBLIC,
    "log_latest_checkpoint": PUBLIC,
    "log_checkpoints": PUBLIC,
    "log_inclusion_proof": PUBLIC,
    "log_consistency_proof": PUBLIC,
}

PUBLIC_STATISTICS: dict[str, AccessRule] = {
    "registry_statistics": PUBLIC,
}
