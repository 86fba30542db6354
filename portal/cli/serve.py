"""``flask serve``: the portal on waitress, with the settings of :mod:`portal.serving`."""

from __future__ import annotations

import click
from flask.cli import ScriptInfo, pass_script_info

from .. import serving


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8080, show_default=True, help="Port to listen on.")
@pass_script_info
def serve(info: ScriptInfo, host: str, port: int) -> None:
    """Serve the portal on waitress (threads, connection limit and time-outs from the
    WAITRESS_* settings; PORTAL_WAITRESS_THREADS=16 and so on in the environment)."""
    serving.serve(info.load_app(), host, port)
