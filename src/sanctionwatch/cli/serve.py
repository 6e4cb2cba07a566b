"""`sanctionwatch serve`: the dashboard and REST API over a store (one process, embedded store)."""

from __future__ import annotations

import typer

from sanctionwatch import settings
from sanctionwatch.cli.common import console, existing_store, fail, store_option


def serve(
    store: str = store_option(),
    host: str = typer.Option("127.0.0.1", "--host", help="Bind address; non-loopback requires --token."),
    port: int = typer.Option(8765, "--port", min=1, max=65535, help="TCP port."),
    token: str = typer.Option(
        None, "--token", help=f"API token (bearer) [env {settings.SETTINGS['api_token'].env}]."
    ),
) -> None:
    """Serve the web dashboard and the JSON API (OpenAPI docs at /docs)."""
    import uvicorn

    from sanctionwatch.web.app import create_app
    from sanctionwatch.web.security import allowed_hosts, token_required, uvicorn_proxy_options

    token = token if token is not None else settings.get("api_token")
    try:
        token = token_required(host, token)
    except ValueError as e:
        fail(str(e))
        return
    st = existing_store(store)
    hosts = allowed_hosts(host, settings.get("allowed_hosts"))
    console.print(f"dashboard: http://{host}:{port}/  (API docs /docs; store {st.root})")
    if host in ("0.0.0.0", "::") and not settings.get("allowed_hosts"):
        console.print(f"note: only Host names {', '.join(sorted(hosts))} are answered; set "
                      f"{settings.SETTINGS['allowed_hosts'].env} to this machine's name(s)")
    uvicorn.run(create_app(st, token=token, hosts=hosts), host=host, port=port, log_level="warning",
                **uvicorn_proxy_options(settings.get("trusted_proxies")))


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
