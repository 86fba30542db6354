"""Comments on community events (イベント): a numbered thread (:mod:`.numbered_comments`), as
topics have them.

Only members of the event's community comment (as on topics); reading follows the event
(:func:`portal.services.events.get_visible`). A comment may be deleted by its author, the
event's author (who runs the event), and the community's admin and sub-admins.

``Event.comment_count`` counts the comments that are not hidden; lists and pages count what
the viewer may see (hidden comments for their author and operators, nothing by members who
blocked the viewer), as :mod:`portal.services.visibility` decides.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..models import Event, EventComment
from . import events
from .numbered_comments import Thread
from .topic_comments import COMMENT_MAX as COMMENT_MAX  # the same limits as topics
from .topic_comments import CommunityPolicy


class EventPolicy(CommunityPolicy):
    """:class:`~.topic_comments.CommunityPolicy`; the event's author deletes any comment too."""

    kind = "event_comment"
    delete_refused = _l(
        "Only the author, the event's author, the admin and sub-admins can delete this."
    )

    def readable(self, parent_id: int, viewer_id: int | None) -> Event | None:
        return events.get_visible(parent_id, viewer_id)

    def may_delete(self, member_id: int, parent: Event, comment: EventComment) -> bool:
        return member_id == parent.author_id or super().may_delete(member_id, parent, comment)


THREAD = Thread(Event, EventComment, "event_id", EventPolicy())
