"""One view logic, two renderings: pick the template tree for the request and encode the page.

Templates live in two trees behind one Jinja environment with a :class:`jinja2.PrefixLoader`:
``mobile/<name>`` from ``templates_mobile/`` and ``pc/<name>`` from ``templates_pc/``. A view
names the logical template once (``render("auth/login.html", form=form)``); the prefix is the
only thing that differs, so Jinja's cache never mixes the trees up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Response, g, render_template
from jinja2 import FileSystemLoader, PrefixLoader

from .keitai import Keitai

HERE = Path(__file__).parent
TREES = {"mobile": HERE / "templates_mobile", "pc": HERE / "templates_pc"}


def template_loader() -> PrefixLoader:
    """Return the loader serving ``mobile/...`` and ``pc/...`` template names."""
    return PrefixLoader({prefix: FileSystemLoader(path) for prefix, path in TREES.items()})


def tree() -> str:
    """Return the template tree of the current request."""
    return "mobile" if g.get("mobile_view") else "pc"


@dataclass(frozen=True)
class Sizes:
    """How much one page shows, per rendering: the one place device-dependent amounts live."""

    home_friends: int
    list_page: int


SIZES = {"mobile": Sizes(home_friends=6, list_page=10), "pc": Sizes(home_friends=9, list_page=30)}


def sizes() -> Sizes:
    """Return the page sizes of the current rendering."""
    return SIZES[tree()]


def render(name: str, status: int = 200, **context: Any) -> Response:
    """Render the logical template ``name`` for the current device.

    :param name: a template name relative to both trees, e.g. ``"home/index.html"``.
    :param status: the HTTP status of the page.
    :param context: the template context (the same for both trees).
    :return: the encoded response.
    """
    html = render_template(f"{tree()}/{name}", **context)
    return Keitai.page_response(html, status)
