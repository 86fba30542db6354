"""The page that asks before a topic or an event of a community is deleted (one template,
``communities/delete_item.html``, for both)."""

from __future__ import annotations

from flask import Response, url_for

from ..rendering import render


def ask_deletion(item, endpoint: str, *, label: str, question: str, back: str) -> Response:
    """Ask whether to delete ``item`` (a topic, an event): its title as the heading, the
    ``question``, a button ``label`` that posts to ``endpoint`` and a way ``back`` to the
    item's page (the endpoint that shows it)."""
    return render(
        "communities/delete_item.html",
        item=item,
        endpoint=endpoint,
        label=label,
        question=question,
        back=url_for(back, id=item.id),
    )
