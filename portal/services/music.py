"""Music (mixi ミュージック, 2006–2009) through the ListenBrainz API.

Mixi's resident client sent each member's iTunes plays; today scrobbling players and tools speak
ListenBrainz, so the portal answers its two calls a scrobbler needs (``POST /1/submit-listens``
and ``GET /1/validate-token``, :mod:`portal.views.music`) with a per-member token made on
Settings → Music (:func:`renew_token`; only its SHA-256 is stored, so it is shown once).

A submission is checked as ListenBrainz checks it (:func:`submit`; the messages are its own):
``listen_type`` ``single`` (one listen with ``listened_at``), ``playing_now`` (one, without)
or ``import`` (up to :data:`MAX_LISTENS_PER_REQUEST`); each listen a JSON object with
``track_metadata.artist_name`` and ``.track_name`` non-empty strings and nothing else at its
top level; at most :data:`MAX_LISTEN_SIZE` bytes a listen. A refused document stores nothing.

What others see: the profile's "最近聴いた曲" (:func:`recent_for`) and friends' weekly charts
(:func:`weekly_chart`) follow the member's ``music_visibility`` (the four levels) and blocks,
as everything else does through :mod:`.visibility`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, select

from ..extensions import db
from ..models import Block, Friendship, Listen, ListenToken, Member, NowPlaying
from ..models._time import utcnow
from ..models.profile import FOF, FRIENDS, PUBLIC, VISIBILITIES
from . import ServiceError
from .visibility import allows, blockers_of

#: ListenBrainz's limits: bytes per listen, listens per request, the earliest listen time.
MAX_LISTEN_SIZE = 10240
MAX_LISTENS_PER_REQUEST = 1000
LISTEN_MINIMUM_TS = 1033430400  # 2002-10-01, as ListenBrainz
#: How far in the future a listen may be (clock skew), as ListenBrainz allows.
ALLOWED_SKEW = 60 * 60
#: Longest names kept (longer ones are cut).
NAME_MAX = 200
#: How long a "playing now" shows without a duration.
PLAYING_NOW_DEFAULT = timedelta(minutes=10)
LISTEN_TYPES = ("single", "playing_now", "import")


class ListenError(ServiceError):
    """A request the API refuses, with its HTTP status and ListenBrainz's message."""

    def __init__(self, message: str, code: int = 400) -> None:
        super().__init__(message)
        self.code = code


# -- tokens ------------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def has_token(member: Member) -> bool:
    """Return whether the member made a token."""
    return db.session.get(ListenToken, member.id) is not None


def renew_token(member: Member) -> str:
    """Make the member a new API token (the old one stops working) and return it; it is not
    stored, so this is the one time it can be shown."""
    token = secrets.token_hex(18)
    row = db.session.get(ListenToken, member.id)
    if row is None:
        db.session.add(ListenToken(member_id=member.id, token_hash=_digest(token)))
    else:
        row.token_hash, row.created_at = _digest(token), utcnow()
    db.session.flush()
    return token


def member_for_token(token: str | None) -> Member | None:
    """Return the member whose token this is, if they may still log in."""
    if not token or len(token) > 200:
        return None
    stmt = (
        select(Member)
        .join(ListenToken, ListenToken.member_id == Member.id)
        .where(ListenToken.token_hash == _digest(token))
    )
    member = db.session.scalar(stmt)
    return member if member is not None and member.is_active else None


def token_from_header(value: str | None) -> str | None:
    """Return the token of an ``Authorization: Token <token>`` header.

    :raise ListenError: 401 without the header or with one of another form.
    """
    if not value:
        raise ListenError("You need to provide an Authorization header.", 401)
    parts = value.split()
    if len(parts) != 2 or parts[0].lower() != "token":
        raise ListenError("Provided Authorization header is invalid.", 401)
    return parts[1]


def set_visibility(member: Member, visibility: str) -> bool:
    """Save who sees the member's music; return whether it is one of the four levels."""
    if visibility not in VISIBILITIES:
        return False
    member.music_visibility = visibility
    return True


# -- submitting ----------------------------------------------------------------------------


@dataclass
class _Track:
    artist: str
    track: str
    release: str | None
    listened_at: datetime | None
    duration: int | None


def _name(metadata: dict, key: str) -> str:
    if key not in metadata:
        raise ListenError(f"JSON document does not contain required track_metadata.{key}.")
    value = metadata[key]
    if not isinstance(value, str):
        raise ListenError(f"track_metadata.{key} must be a single string.")
    value = value.strip()
    if not value:
        raise ListenError(f"required field track_metadata.{key} is empty.")
    if "\x00" in value:
        raise ListenError(f"{value} contains a unicode null")
    return value[:NAME_MAX]


def _listened_at(listen: dict) -> datetime:
    if "listened_at" not in listen:
        raise ListenError("JSON document must contain the key listened_at at the top level.")
    value = listen["listened_at"]
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ListenError("JSON document must contain an int value for listened_at.")
    try:
        ts = int(value)
    except ValueError:
        raise ListenError("JSON document must contain an int value for listened_at.") from None
    if ts < LISTEN_MINIMUM_TS:
        raise ListenError(
            "Value for key listened_at is too low. listened_at timestamp should be greater "
            f"than {LISTEN_MINIMUM_TS}."
        )
    if ts > int(time.time()) + ALLOWED_SKEW:
        raise ListenError("Value for key listened_at is too high.")
    return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None)


def _check_listen(listen: Any, listen_type: str) -> _Track:
    if not isinstance(listen, dict) or not listen:
        raise ListenError("Listen is empty and cannot be validated.")
    if len(json.dumps(listen)) > MAX_LISTEN_SIZE:
        raise ListenError(
            "JSON document is too large. In aggregate, listens may not be larger than "
            f"{MAX_LISTEN_SIZE} characters."
        )
    listened_at = None
    if listen_type == "playing_now":
        if "listened_at" in listen:
            raise ListenError(
                "JSON document must not contain listened_at while submitting playing_now."
            )
        if set(listen) - {"track_metadata"}:
            raise ListenError(
                "JSON document may only contain track_metadata as top level key when "
                "submitting playing_now."
            )
    else:
        listened_at = _listened_at(listen)
        if set(listen) - {"listened_at", "track_metadata"}:
            raise ListenError(
                "JSON document may only contain listened_at and track_metadata top level keys"
            )
    metadata = listen.get("track_metadata")
    if not isinstance(metadata, dict):
        raise ListenError("JSON document must contain the key track_metadata at the top level.")
    track = _name(metadata, "track_name")
    artist = _name(metadata, "artist_name")
    release = metadata.get("release_name")
    release = release.strip()[:NAME_MAX] or None if isinstance(release, str) else None
    info = metadata.get("additional_info")
    if info is not None and not isinstance(info, dict):
        raise ListenError("track_metadata.additional_info must be a JSON object.")
    duration = None
    if info:
        raw = info.get("duration") or (info.get("duration_ms") or 0) // 1000 or None
        duration = raw if isinstance(raw, int) and 0 < raw < 24 * 3600 else None
    return _Track(artist, track, release, listened_at, duration)


def parse_document(raw: bytes) -> tuple[str, list]:
    """Return the listen type and payload of a submission.

    :raise ListenError: for a body that is not JSON or not a submission.
    """
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ListenError(f"Cannot parse JSON document: {exc}") from None
    if not isinstance(data, dict) or "payload" not in data or "listen_type" not in data:
        raise ListenError("Invalid JSON document submitted.")
    payload, listen_type = data["payload"], data["listen_type"]
    if not isinstance(payload, list):
        raise ListenError("Invalid JSON document submitted.")
    if not payload:
        raise ListenError("JSON document does not contain any listens")
    if len(raw) > len(payload) * MAX_LISTEN_SIZE:
        raise ListenError(
            "JSON document is too large. In aggregate, listens may not be larger than "
            f"{MAX_LISTEN_SIZE} characters."
        )
    if listen_type not in LISTEN_TYPES:
        raise ListenError("JSON document requires a valid listen_type key.")
    if listen_type in ("single", "playing_now") and len(payload) > 1:
        raise ListenError(
            "JSON document contains more than listen for a single/playing_now. "
            "It should contain only one."
        )
    if len(payload) > MAX_LISTENS_PER_REQUEST:
        raise ListenError(
            f"Too many listens. You may not submit more than {MAX_LISTENS_PER_REQUEST} "
            "listens at once."
        )
    return listen_type, payload


def submit(member: Member, raw: bytes) -> int:
    """Store a ListenBrainz submission of ``member``'s; return how many listens were new.

    Every listen is checked before any is stored. Flushes only.

    :raise ListenError: 400 with ListenBrainz's message for a malformed document.
    """
    listen_type, payload = parse_document(raw)
    tracks = [_check_listen(listen, listen_type) for listen in payload]
    if listen_type == "playing_now":
        (track,) = tracks
        lasts = timedelta(seconds=track.duration) if track.duration else PLAYING_NOW_DEFAULT
        db.session.execute(delete(NowPlaying).where(NowPlaying.member_id == member.id))
        db.session.add(
            NowPlaying(
                member_id=member.id,
                artist_name=track.artist,
                track_name=track.track,
                expires_at=utcnow() + lasts,
            )
        )
        now = utcnow()
        if member.last_listen_at is None or now > member.last_listen_at:
            member.last_listen_at = now
        db.session.flush()
        return 0
    times = [t.listened_at for t in tracks if t.listened_at is not None]
    rows = db.session.execute(
        select(Listen.listened_at, Listen.track_name).where(
            Listen.member_id == member.id, Listen.listened_at.in_(set(times))
        )
    )
    known: set[tuple[datetime | None, str]] = {(at, name) for at, name in rows}
    added = 0
    for track in tracks:
        key = (track.listened_at, track.track)
        if key in known:
            continue
        known.add(key)
        db.session.add(
            Listen(
                member_id=member.id,
                listened_at=track.listened_at,
                artist_name=track.artist,
                track_name=track.track,
                release_name=track.release,
            )
        )
        added += 1
    newest = max(times)
    if member.last_listen_at is None or newest > member.last_listen_at:
        member.last_listen_at = newest
    db.session.flush()
    return added


# -- showing -----------------------------------------------------------------------------------


@dataclass
class Recent:
    """The profile's 最近聴いた曲: the newest listens, and what is playing now."""

    listens: list[Listen]
    playing: NowPlaying | None


def recent_for(member: Member, relation: str, limit: int) -> Recent | None:
    """Return the member's recently played tracks for a viewer in ``relation`` to them
    (:func:`.visibility.relation`; a block is ``blocked`` and sees nothing), or ``None`` when
    the viewer may not see them or there are none. No query for a member who never scrobbled.
    """
    if member.last_listen_at is None:
        return None
    if not allows(member.music_visibility, relation):
        return None
    listens = list(
        db.session.scalars(
            select(Listen)
            .where(Listen.member_id == member.id)
            .order_by(Listen.listened_at.desc(), Listen.id.desc())
            .limit(limit)
        )
    )
    playing = db.session.scalar(
        select(NowPlaying).where(
            NowPlaying.member_id == member.id, NowPlaying.expires_at > utcnow()
        )
    )
    if not listens and playing is None:
        return None
    return Recent(listens, playing)


@dataclass
class Chart:
    """My friends' most played artists and tracks over the last seven days."""

    artists: list[tuple[str, int]]
    tracks: list[tuple[str, str, int]]
    since: datetime
    listeners: int


def weekly_chart(viewer: Member, limit: int, now: datetime | None = None) -> Chart:
    """Return the viewer's friends' weekly chart: their listens of the last seven days, of the
    friends whose music visibility lets a friend see it (everyone, friends of friends,
    friends; not "only me"), without anyone who blocked the viewer or whom the viewer blocked.
    """
    since = (now or utcnow()) - timedelta(days=7)

    friend = and_(
        Friendship.member_id == viewer.id,
        Friendship.friend_id == Listen.member_id,
    )
    where = (
        Listen.listened_at >= since,
        Member.music_visibility.in_((PUBLIC, FOF, FRIENDS)),
        Member.left_at.is_(None),
        Listen.member_id.not_in(blockers_of(viewer.id)),
        Listen.member_id.not_in(select(Block.blocked_id).where(Block.blocker_id == viewer.id)),
    )

    def base(*columns):
        return (
            select(*columns)
            .join(Friendship, friend)
            .join(Member, Member.id == Listen.member_id)
            .where(*where)
        )

    plays = func.count(Listen.id).label("plays")
    artists = db.session.execute(
        base(Listen.artist_name, plays)
        .group_by(Listen.artist_name)
        .order_by(plays.desc(), Listen.artist_name)
        .limit(limit)
    )
    tracks = db.session.execute(
        base(Listen.artist_name, Listen.track_name, plays)
        .group_by(Listen.artist_name, Listen.track_name)
        .order_by(plays.desc(), Listen.artist_name, Listen.track_name)
        .limit(limit)
    )
    listeners = db.session.scalar(base(func.count(func.distinct(Listen.member_id)))) or 0
    return Chart(
        [(artist, plays) for artist, plays in artists],
        [(artist, track, plays) for artist, track, plays in tracks],
        since,
        listeners,
    )


__all__ = [
    "Chart",
    "ListenError",
    "Recent",
    "has_token",
    "member_for_token",
    "recent_for",
    "renew_token",
    "set_visibility",
    "submit",
    "token_from_header",
    "weekly_chart",
]
