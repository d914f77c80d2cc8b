"""Who may take the Article 6.2 reporting actions (the register and the AEF reports).

A Party acts through its registry's administrator (``Resource.REGISTRY`` with the Party's
registry code): Japan's for Japan's reports across every partnership, each partner's for
its own. What has been submitted is public, as is the register.
"""

from __future__ import annotations

from jcm.domain.identity.access import AccessRule

# The cooperative-approach register (approaches, authorisations, authorised entities).
REGISTER: dict[str, AccessRule] = {}

# A Party's AEF reports, and the public's view of submitted ones.
AEF: dict[str, AccessRule] = {}
