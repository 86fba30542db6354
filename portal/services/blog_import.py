"""Import of an external blog (RSS/Atom) as diary entries.

A member names one feed (:func:`set_feed`); ``flask import-feeds`` (:func:`import_all`, from
cron) fetches every feed and turns each entry not seen before into a diary with the feed's
visibility. An entry is known by its feed id (or link), kept as ``Diary.source_id``: importing
again creates nothing twice (a look-up first, and the unique ``(author_id, source_id)`` behind
it). Entry HTML becomes plain text (:func:`html_to_text`); the diary keeps the entry's link as
``source_url``.

Fetching (:mod:`.feed_fetch`) is bounded (timeout, size cap, http/https only, no private or
loopback addresses unless ``BLOG_IMPORT_ALLOW_PRIVATE``), and every failure (network, HTTP
status, not a feed) is recorded in the feed's ``last_error`` instead of raised.
"""

from __future__ import annotations

import hashlib
import html
import io
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import feedparser
import nh3
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..extensions import db
from ..keitai import emoji
from ..keitai.input_decoding import remove_controls
from ..models import BlogFeed, Diary, Member
from ..models._time import utcnow
from ..models.profile import VISIBILITIES
from . import ServiceError
from . import diaries as diary_service
from .feed_fetch import FetchError, fetch_url
from .text_limits import clip, clip_to_fit

logger = logging.getLogger(__name__)

URL_MAX = 2000
ERROR_MAX = 500
#: ``Diary.source_id`` is a String(500); longer entry ids are stored as their SHA-256.
SOURCE_ID_MAX = 500

#: What a fetch function returns: the document, or the document and its response headers.
Fetched = bytes | tuple[bytes, Mapping[str, str]]
Fetch = Callable[[str], Fetched]


# -- the member's setting ------------------------------------------------------------------


def feed_of(member: Member) -> BlogFeed | None:
    """Return the member's blog feed, if they set one."""
    return db.session.get(BlogFeed, member.id)


def check_url(url: str) -> str:
    """Return the feed address, stripped, if it is an absolute http(s) URL.

    :raise ServiceError: for anything else (field ``url``).
    """
    url = (url or "").strip()
    parts = urlsplit(url)
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or len(url) > URL_MAX
        or any(ch.isspace() or ord(ch) < 32 for ch in url)
    ):
        raise ServiceError(
            _l("Please enter the address of your blog's feed (starting with http:// or https://)."),
            "url",
        )
    return url


def set_feed(member: Member, url: str, visibility: str) -> BlogFeed:
    """Set (or change) the member's blog feed and the visibility of the diaries it brings.

    A new address starts afresh: its last error and fetch time are forgotten.

    :raise ServiceError: for an address that is not http(s), or an unknown visibility.
    """
    url = check_url(url)
    if visibility not in VISIBILITIES:
        raise ServiceError(_l("Please choose from the list."), "visibility")
    feed = feed_of(member)
    if feed is None:
        feed = BlogFeed(member_id=member.id, url=url, visibility=visibility, imported_count=0)
        db.session.add(feed)
    elif feed.url != url:
        feed.url, feed.last_error, feed.last_fetched_at = url, None, None
    feed.visibility = visibility
    db.session.flush()
    return feed


def remove_feed(member: Member) -> bool:
    """Stop importing the member's blog (diaries already imported stay).

    :return: whether there was a feed.
    """
    feed = feed_of(member)
    if feed is None:
        return False
    db.session.delete(feed)
    db.session.flush()
    return True


# -- entries to diaries ----------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")
_BREAKS = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|tr|dd|dt|pre)\s*>", re.IGNORECASE)
_LINE_SPACES = re.compile(r"[ \t\u00a0]*\n[ \t\u00a0]*")
_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(markup: str) -> str:
    """Turn entry HTML into plain diary text.

    Source line breaks are spaces (as a browser shows them); ``<br>`` and the ends of
    paragraphs, divisions and list items become line breaks; then every tag is removed by nh3
    (with the content of ``<script>`` and ``<style>``), entities are decoded, and more than one
    blank line in a row becomes one.
    """
    text = _WHITESPACE.sub(" ", markup)
    text = _BREAKS.sub("\n", text)
    text = html.unescape(nh3.clean(text, tags=set()))
    text = remove_controls(text.replace("\r", ""))
    text = _LINE_SPACES.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _plain(value: str, content_type: str | None) -> str:
    if content_type and content_type.startswith("text/plain"):
        return _BLANK_LINES.sub("\n\n", remove_controls(value)).strip()
    return html_to_text(value)


def _entry_body(entry) -> str:
    for content in entry.get("content") or ():
        text = _plain(content.get("value") or "", content.get("type"))
        if text:
            return text
    detail = entry.get("summary_detail") or {}
    return _plain(entry.get("summary") or "", detail.get("type"))


def _entry_time(entry, now: datetime) -> datetime:
    """Return the entry's publication (or update) time as naive UTC; never in the future."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:  # feedparser gives UTC struct_time
                moment = datetime(*parsed[:6])
            except (TypeError, ValueError):
                continue
            return min(moment, now)
    return now


def _source_id(entry) -> str | None:
    source = (entry.get("id") or entry.get("link") or "").strip()
    if not source:
        return None
    if len(source) > SOURCE_ID_MAX:
        return "sha256:" + hashlib.sha256(source.encode()).hexdigest()
    return source


@dataclass
class ImportResult:
    """What one feed's import did: entries made into diaries, entries skipped (known already
    or unusable), and the error that stopped it (``None`` when it worked)."""

    new: int = 0
    skipped: int = 0
    error: str | None = None


def _parse(fetched: Fetched):
    body, headers = fetched if isinstance(fetched, tuple) else (fetched, {})
    # A stream, never bytes or str: feedparser would read a local file named by them.
    return feedparser.parse(io.BytesIO(body), response_headers=dict(headers))


def _fail(feed: BlogFeed, message: str, now: datetime) -> ImportResult:
    feed.last_error = clip(message, ERROR_MAX)
    feed.last_fetched_at = now
    return ImportResult(error=feed.last_error)


def import_feed(feed: BlogFeed, fetch: Fetch | None = None) -> ImportResult:
    """Fetch one feed and make each entry not imported before into a diary of its member.

    Errors are recorded in ``feed.last_error`` (and returned), never raised; a successful
    fetch clears it. Flushes only (the caller commits).

    :param feed: the member's feed.
    :param fetch: returns the document for a URL (default :func:`fetch_url`; tests pass their
        own), as bytes or ``(bytes, headers)``; it raises on failure.
    """
    now = utcnow()
    try:
        parsed = _parse((fetch or fetch_url)(feed.url))
    except FetchError as exc:
        return _fail(feed, str(exc), now)
    except Exception as exc:  # a fetch or a parser failing in any way must not stop the run
        logger.warning("blog feed %s failed: %r", feed.url, exc)
        return _fail(feed, f"{type(exc).__name__}: {exc}", now)
    if parsed.get("bozo") and not parsed.get("version"):
        reason = parsed.get("bozo_exception") or "unknown format"
        return _fail(feed, f"not an RSS or Atom feed: {reason}", now)

    member = db.session.get_one(Member, feed.member_id)
    result = ImportResult()
    entries = [(entry, _source_id(entry)) for entry in parsed.entries]
    wanted = {source for _, source in entries if source}
    known: set[str] = set()
    if wanted:
        known.update(
            db.session.scalars(
                select(Diary.source_id).where(
                    Diary.author_id == feed.member_id, Diary.source_id.in_(wanted)
                )
            )
        )
    # Oldest first, so the diaries' ids follow the blog's order.
    dated = sorted(
        ((_entry_time(entry, now), n, entry, source) for n, (entry, source) in enumerate(entries)),
        key=lambda item: (item[0], -item[1]),
    )
    for created_at, _n, entry, source in dated:
        if source is None or source in known:
            result.skipped += 1
            continue
        known.add(source)
        if _import_entry(member, feed, entry, source, created_at):
            result.new += 1
        else:
            result.skipped += 1
    feed.imported_count += result.new
    feed.last_error = None
    feed.last_fetched_at = now
    db.session.flush()
    return result


def _import_entry(member: Member, feed: BlogFeed, entry, source: str, created_at: datetime) -> bool:
    body = emoji.to_stored(_entry_body(entry), "pc")
    title_type = (entry.get("title_detail") or {}).get("type")
    title = _plain(entry.get("title") or "", title_type)
    title = _WHITESPACE.sub(" ", emoji.to_stored(title, "pc")).strip()
    title = title or _WHITESPACE.sub(" ", body)[:30]
    body = body or title
    link = (entry.get("link") or "").strip()
    try:
        diary = diary_service.create(
            member,
            title=clip_to_fit(title, diary_service.TITLE_MAX, diary_service.TITLE_PHONE_BYTES),
            body=clip(body, diary_service.BODY_MAX),
            visibility=feed.visibility,
            created_at=created_at,
        )
    except ServiceError:
        return False  # nothing to show (no title, no text)
    diary.source_id = source
    diary.source_url = link if link.lower().startswith(("http://", "https://")) else None
    if diary.source_url and len(diary.source_url) > URL_MAX:
        diary.source_url = None
    return True


# -- every feed (the CLI) --------------------------------------------------------------------


@dataclass
class ImportSummary:
    """The outcome of :func:`import_all`."""

    feeds: int = 0
    new: int = 0
    skipped: int = 0
    #: ``(member_id, url, error)`` of each feed that failed.
    failures: list[tuple[int, str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.feeds} feeds: {self.new} new diaries, {self.skipped} entries skipped, "
            f"{len(self.failures)} feeds failed."
        )


def import_all(
    progress: Callable[[int], object] | None = None, fetch: Fetch | None = None
) -> ImportSummary:
    """Import every member's blog feed, committing after each one.

    This runs from the ``flask import-feeds`` command, in an app context outside any request,
    so unlike other services it commits, once per feed: a broken feed never loses another's
    imports. Running it again (cron) imports only entries not seen before. If another run
    imports the same entries at the same time, the unique ``(author_id, source_id)`` refuses the
    second copy: that feed's work is rolled back and tried once more.

    :param progress: called with ``1`` after each feed (a click progress bar's ``update``).
    :param fetch: passed to :func:`import_feed`.
    """
    summary = ImportSummary()
    member_ids = list(db.session.scalars(select(BlogFeed.member_id).order_by(BlogFeed.member_id)))
    for member_id in member_ids:
        result = _import_one(member_id, fetch)
        if result is not None:
            summary.feeds += 1
            summary.new += result.new
            summary.skipped += result.skipped
            if result.error:
                feed_url = db.session.get_one(BlogFeed, member_id).url
                summary.failures.append((member_id, feed_url, result.error))
        if progress is not None:
            progress(1)
    return summary


def _import_one(member_id: int, fetch: Fetch | None) -> ImportResult | None:
    for attempt in (1, 2):
        feed = db.session.get(BlogFeed, member_id)
        if feed is None:  # removed since the run started
            return None
        try:
            result = import_feed(feed, fetch)
            db.session.commit()
            return result
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                return _record_failure(member_id, "duplicate entries (another import running?)")
        except SQLAlchemyError as exc:
            db.session.rollback()
            logger.exception("blog feed of member %s could not be saved", member_id)
            return _record_failure(member_id, f"database error: {type(exc).__name__}")
    return None  # pragma: no cover (the loop returns)


def _record_failure(member_id: int, message: str) -> ImportResult | None:
    feed = db.session.get(BlogFeed, member_id)
    if feed is None:
        return None
    result = _fail(feed, message, utcnow())
    db.session.commit()
    return result


def feed_count() -> int:
    """Return how many feeds :func:`import_all` goes through (the progress bar's length)."""
    return db.session.scalar(select(func.count()).select_from(BlogFeed)) or 0
