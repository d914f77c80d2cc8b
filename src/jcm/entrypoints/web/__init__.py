"""The web application: server-rendered pages in Japanese and English over the same
services and access rules as the HTTP API (``site.mount`` adds them to its application)."""

from jcm.entrypoints.web.site import mount

__all__ = ["mount"]
