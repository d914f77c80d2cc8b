"""A test-only launcher: the real API app served by uvicorn on 127.0.0.1, in its own process.

``python tests/integration/api_server.py DATA_DIR`` (the database URL in the environment,
``JCM_TEST_SERVER_DATABASE_URL``, never on the command line) binds a free port, prints
``port <n>`` on stdout, then serves until SIGTERM. The app is built the way a server builds
it (``bootstrap`` on the given database, no migrations: the test made the schema, its
organisations and their API tokens). ``JCM_TEST_SERVER_NOW`` (ISO 8601, with an offset),
when set, fixes the server's clock, as the tests' ``app`` fixture fixes theirs.
Tests start it, and end it, with ``api_process.api_process``.
"""

from __future__ import annotations

import os
import socket
import sys
from datetime import datetime
from pathlib import Path

import uvicorn

from jcm.bootstrap import Settings, bootstrap
from jcm.entrypoints.api import create_app
from jcm.entrypoints.api.context import ApiContext


def main(argv: list[str]) -> None:
    data_dir, database_url = Path(argv[1]), os.environ["JCM_TEST_SERVER_DATABASE_URL"]
    fixed = os.environ.get("JCM_TEST_SERVER_NOW")
    if fixed is None:
        app = bootstrap(Settings(data_dir, database_url), run_migrations=False)
    else:
        now = datetime.fromisoformat(fixed)
        app = bootstrap(Settings(data_dir, database_url), clock=lambda: now, run_migrations=False)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    print(f"port {listener.getsockname()[1]}", flush=True)
    config = uvicorn.Config(
        create_app(ApiContext(app, app.identity)), log_level="warning", access_log=False
    )
    try:
        uvicorn.Server(config).run(sockets=[listener])
    finally:
        app.close()


if __name__ == "__main__":
    main(sys.argv)
