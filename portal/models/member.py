"""Members: accounts, nicknames and per-member preferences."""

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ._time import utcnow


class Member(UserMixin, Model):
    """A registered member. ``email`` is stored lower-cased; ``real_name`` is private."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    nickname: Mapped[str] = mapped_column(String(40), index=True)
    real_name: Mapped[str | None] = mapped_column(String(80))
    birth_date: Mapped[date]
    #: The member's UI language (``ja``, ``en``, ``zh``, ``ko``); ``None`` means "not chosen yet".
    locale: Mapped[str | None] = mapped_column(String(8))
    #: Show UI katakana half-width on Shift_JIS phones (smaller pages); members may turn it off.
    hankaku: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: Furigana over kanji: ``None`` off, ``all``, or a known old JLPT level (``4`` easiest to
    #: ``1``): readings only for kanji harder than it (``portal.i18n.learner``).
    furigana: Mapped[str | None] = mapped_column(String(4))
    #: The nickname in Hepburn romaji (cutlet), written when the nickname is saved; ``None``
    #: when it is already in Latin letters or not computed yet.
    nickname_romaji: Mapped[str | None] = mapped_column(String(120))
    is_operator: Mapped[bool] = mapped_column(default=False)
    #: The premium plan (granted by operators) lifts the limits in ``portal.services.limits``.
    is_premium: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Members who stop leaving footprints also lose their own footprint list.
    leaves_footprints: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: The visibility new diaries start with.
    diary_visibility: Mapped[str] = mapped_column(
        String(8), default="public", server_default="public"
    )
    #: Who sees the member's recently played tracks (最近聴いた曲) and counts them in friends'
    #: charts: one of the four visibility levels.
    music_visibility: Mapped[str] = mapped_column(
        String(8), default="friends", server_default="friends"
    )
    #: When the member's newest listen was played, or a "playing now" came (``None``: no music
    #: yet; the profile looks no further for a member who never scrobbled).
    last_listen_at: Mapped[datetime | None]
    #: E-mail notices the member wants (each can be turned off in Settings).
    notify_messages: Mapped[bool] = mapped_column(default=True, server_default=true())
    notify_requests: Mapped[bool] = mapped_column(default=True, server_default=true())
    notify_comments: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: A mail a week before a friend's birthday (as OpenPNE sent).
    notify_birthdays: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: Unread messages in the inbox, and friend requests waiting for an answer: counters kept
    #: by the changes they count (``portal.services.counters``), not counted per page.
    unread_messages: Mapped[int] = mapped_column(default=0, server_default="0")
    pending_requests: Mapped[int] = mapped_column(default=0, server_default="0")
    friend_total: Mapped[int] = mapped_column(default=0, server_default="0")
    #: When the member last opened the footprint list (for the "new footprints" count).
    footprints_seen_at: Mapped[datetime | None]
    #: Footprints left since then (by members neither side blocked), a counter kept by the
    #: footprints' writes, blocks and leavers (``portal.services.footprints``); and no later
    #: than the oldest of them (``None``: none), so the home knows when none can have aged out
    #: of the list's window (then it counts, as it did before the counter).
    new_footprints: Mapped[int] = mapped_column(default=0, server_default="0")
    new_footprints_since: Mapped[datetime | None]
    #: Operators may stop a member's logins; their data stays.
    login_stopped: Mapped[bool] = mapped_column(default=False)
    #: When the member left (退会): their things are gone, the row stays so that their comments
    #: in others' threads show as 退会したユーザー; the address is free to sign up again.
    left_at: Mapped[datetime | None]
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    def age_on(self, day: date) -> int:
        """Return the member's age in whole years on ``day``."""
        return age_on(self.birth_date, day)

    @property
    def is_active(self) -> bool:
        """Flask-Login: a member whose login an operator stopped, or who left, is inactive."""
        return not self.login_stopped and self.left_at is None

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.nickname!r}>"


def age_on(birth: date, day: date) -> int:
    """Return the age in whole years of someone born on ``birth``, on ``day``.

    A 29 February birthday counts as reached on 1 March in non-leap years, as Japanese law does.
    """
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years
