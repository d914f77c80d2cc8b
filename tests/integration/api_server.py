"""A test-only launcher: the real API app served by uvicorn on 127.0.0.1, in its own process.

``python tests/integration/api_server.py DATA_DIR DATABASE_URL TOKENS_JSON`` binds a free
port, prints ``port <n>`` on stdout, then serves until SIGTERM. The app is built the way a
server builds it (``bootstrap`` on the given database, no migrations: the test made the
schema) with fixed bearer tokens instead of the identity service: ``TOKENS_JSON`` maps each
token to ``{"organisation": ..., "roles": [...]}``.
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import uvicorn
from api_support import StaticIdentity

from jcm.bootstrap import Settings, bootstrap
from jcm.domain.cycle.actors import Role
from jcm.entrypoints.api import create_app
from jcm.entrypoints.api.context import ApiContext


def main(argv: list[str]) -> None:
    data_dir, database_url, tokens = Path(argv[1]), argv[2], json.loads(argv[3])
    identity = StaticIdentity()
    for token, holder in tokens.items():
        identity.add(token, holder["organisation"], *(Role(r) for r in holder["roles"]))
    app = bootstrap(Settings(data_dir, database_url), run_migrations=False)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    print(f"port {listener.getsockname()[1]}", flush=True)
    config = uvicorn.Config(
        create_app(ApiContext(app, identity)), log_level="warning", access_log=False
    )
    try:
        uvicorn.Server(config).run(sockets=[listener])
    finally:
        app.close()


if __name__ == "__main__":
    main(sys.argv)
