"""Pages of this area (reserved; see site.page_routers)."""

from __future__ import annotations

from jcm.entrypoints.web.pages import PageRouter

router = PageRouter()
