"""``/healthz``: the health of this process's dependencies, as JSON, 200 or 503."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..services import health

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    """Answer a load balancer or a monitor: each dependency's status, and 503 when one is down."""
    checks = health.check()
    ok = health.healthy(checks)
    body = {
        "status": "ok" if ok else "down",
        "checks": {name: {"status": c.status, "detail": c.detail} for name, c in checks.items()},
    }
    response = jsonify(body)
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response
