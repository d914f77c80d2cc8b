"""The HTTP API (FastAPI under ``/api/v1``): a door over the same services as the CLI."""

from jcm.entrypoints.api.app import create_app

__all__ = ["create_app"]
