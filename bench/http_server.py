"""The API server the HTTP benchmark drives: ``python -m bench.http_server DATA_DIR PORT``.

``--site`` serves the web pages too (``python -m bench.web``). ``--ceiling`` serves a bare
ASGI app answering a fixed JSON body instead: the raw ceiling
of uvicorn on this machine, measured in the same run.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import uvicorn

from jcm.bootstrap import Settings, bootstrap
from jcm.entrypoints.api import create_app
from jcm.entrypoints.api.context import ApiContext
from jcm.entrypoints.web.site import create_site

Message = MutableMapping[str, Any]


async def ceiling_app(
    scope: Message,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    if scope["type"] != "http":
        return
    body = b'{"ok":true}'
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def main(argv: list[str]) -> int:
    data_dir, port = Path(argv[1]), int(argv[2])
    options: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "log_level": "warning",
        "access_log": False,
    }
    if "--ceiling" in argv:
        uvicorn.run(ceiling_app, **options)
        return 0
    app = bootstrap(Settings.from_env(data_dir))
    context = ApiContext(app, app.identity)
    # --site: the web pages beside the API, as `jcm serve` runs them (start-up frozen out
    # of the collector's sight, as there).
    served = create_site(context) if "--site" in argv else create_app(context)
    gc.freeze()
    uvicorn.run(served, **options)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
