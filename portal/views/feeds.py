"""Feeds: a member's public diaries as Atom 1.0, for feed readers (no login).

A feed is not a page: it is UTF-8 XML for every client, phones included, so it bypasses
``render`` and the keitai encoding and is returned as a plain :class:`~flask.Response`. Only
what a visitor may read is in it (``diaries.public_feed``: public diaries).

Languages: the feed's own text (its title) is in the reader's language, so ``<feed xml:lang>``
is the reader's; the entries are what the member wrote, in a language nobody declared (a
member's UI language says nothing of it), so each ``<entry>`` says ``xml:lang=""`` (unknown,
XML 1.0 section 2.12) rather than inherit the reader's.
"""

from __future__ import annotations

import re
from datetime import datetime
from xml.etree import ElementTree as ET

from flask import Blueprint, Response
from flask_babel import gettext as _

from ..filters import share_url
from ..i18n import locale_tag
from ..keitai import emoji
from ..models import Diary, Member
from ..services import diaries as diary_service
from ._parts import or_404

bp = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
#: Entries in a feed.
FEED_ENTRIES = 20
#: Characters XML 1.0 cannot carry at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value: str) -> str:
    """Member text as a feed carries it: Unicode emoji, no character XML refuses."""
    return _NOT_XML.sub("", emoji.for_carrier(value, "pc", "utf-8"))


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def atom_feed(member: Member, diaries: list[Diary]) -> bytes:
    """Return the Atom 1.0 document of ``member``'s ``diaries`` (newest first)."""
    self_url = share_url("feeds.diaries", id=member.id)
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: locale_tag()})
    _add(feed, "id", self_url)
    _add(feed, "title", _text(_("%(name)s's diary", name=member.nickname)))
    newest = max((d.updated_at for d in diaries), default=member.created_at)
    _add(feed, "updated", _time(newest))
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    list_url = share_url("diaries.list_of", id=member.id)
    _add(feed, "link", rel="alternate", type="text/html", href=list_url)
    author = _add(feed, "author")
    _add(author, "name", _text(member.nickname))
    _add(author, "uri", share_url("members.profile", id=member.id))
    _add(feed, "generator", "keitai-portal")
    for diary in diaries:
        url = share_url("diaries.show", id=diary.id)
        entry = _add(feed, "entry", **{XML_LANG: ""})
        _add(entry, "id", url)
        _add(entry, "title", _text(diary.title), type="text")
        _add(entry, "link", rel="alternate", type="text/html", href=url)
        if diary.source_url:
            _add(entry, "link", rel="via", href=diary.source_url)
        _add(entry, "published", _time(diary.created_at))
        _add(entry, "updated", _time(diary.updated_at))
        _add(entry, "content", _text(diary.body), type="text")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        feed, encoding="utf-8", xml_declaration=False
    )


@bp.route("/feeds/users/<int:id>/diaries.atom")
def diaries(id: int):
    """Serve a member's newest public diaries as Atom (404 for an unknown member)."""
    found = or_404(diary_service.public_feed(id, FEED_ENTRIES))
    response = Response(atom_feed(*found), content_type=CONTENT_TYPE)
    response.vary.update(("Accept-Language", "Cookie"))  # the reader's language
    return response
