"""The learner aids a view hands its template: stored readings, and parts measured with them.

With furigana (or learner mode) off nothing is looked up; on, one keyed query per call.
"""

from __future__ import annotations

from ..i18n import learner_mode
from ..rendering import text_parts
from ..services import readings
from ..services.readings import Readings


def readings_of(*items: tuple[str, object]) -> Readings:
    """Return the stored readings of ``(kind, instance)`` items for this reader."""
    return readings.for_page(learner_mode(), items)


def body_parts(kind: str, obj) -> tuple[list[str], Readings]:
    """Return the parts of ``obj.body`` this rendering shows, and ``obj``'s readings (title
    and body): with furigana on, phones measure each part with its readings."""
    found = readings_of((kind, obj))
    return text_parts(obj.body, found.get(kind, obj.id, "body")), found
