"""jcm serve: the web application and the HTTP API on uvicorn.

The site, FastAPI and uvicorn (about 0.3 s of imports) are imported when a server starts,
not by every other command of the CLI.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Annotated

import typer

from jcm.entrypoints.cli.common import JsonOpt, cli, err, refusals, state
from jcm.entrypoints.cli.guard import json_text

if TYPE_CHECKING:
    from jcm.entrypoints.api.context import ApiContext

HostOpt = Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default).")]
PortOpt = Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")]


def api_context() -> ApiContext:
    from jcm.entrypoints.api.context import ApiContext

    app = state.app()
    return ApiContext(app, app.identity)


def serve_api(host: str, port: int) -> None:
    """Run the API until interrupted (Ctrl-C)."""
    import uvicorn

    from jcm.entrypoints.web.site import create_site

    api = create_site(api_context())
    # What start-up made (modules, templates, the app) lives as long as the server: frozen
    # out of the collector's sight, a full collection no longer walks it (the cause of
    # 100–200 ms pauses in otherwise 10 ms page renders).
    gc.freeze()
    uvicorn.run(api, host=host, port=port, log_level="warning", access_log=False)


@cli.command()
def serve(host: HostOpt = "127.0.0.1", port: PortOpt = 8000, json_out: JsonOpt = False) -> None:
    """Serve the web application at http://HOST:PORT/ and the HTTP API at /api/v1
    (documents at /api/v1/docs) until Ctrl-C. With --json, the start line is a JSON object
    on standard output."""
    with refusals(json_out):
        api_context()  # open and migrate the database first: a refusal is a clean message
    site = f"http://{host}:{port}/"
    base = f"http://{host}:{port}/api/v1"
    if json_out:
        print(json_text({"web": site, "api": base, "docs": f"{base}/docs"}), flush=True)
    else:
        err.print(f"jcm: serving {site} (API {base}, docs {base}/docs); Ctrl-C stops")
    serve_api(host, port)
