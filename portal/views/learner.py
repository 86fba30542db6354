"""Learner aids: the furigana switch, Settings → Reading, and the dictionaries' attribution.

The switch and the reading form are POSTs with the CSRF token (a GET changes nothing
stored); a member's choice is saved to the account, a visitor's is kept in the session like
the language.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..filters import safe_next
from ..i18n.learner import FURIGANA_KEY, FURIGANA_LEVELS, furigana_level
from ..keitai.paging import paginate
from ..rendering import render, sizes
from ..services import accounts, diaries, topics
from ._learner import readings_of
from ._parts import number, or_404

bp = Blueprint("learner", __name__)

#: The choices of Settings → Reading, in order ("" is off).
LEVEL_LABELS = {
    "": _l("Off"),
    "all": _l("Over every kanji"),
    "4": _l("Over kanji above old JLPT level 4 (I know about 100 kanji)"),
    "3": _l("Over kanji above old JLPT level 3 (I know about 300 kanji)"),
    "2": _l("Over kanji above old JLPT level 2 (I know about 1,000 kanji)"),
    "1": _l("Over kanji outside the old JLPT lists (I know about 2,000 kanji)"),
}


def _save(level: str | None) -> None:
    if current_user.is_authenticated:
        accounts.set_furigana(current_user, level)
    elif level is None:
        session.pop(FURIGANA_KEY, None)
    else:
        session[FURIGANA_KEY] = level
    g.pop("furigana_level", None)


def _back(default: str):
    return redirect(safe_next(request.form.get("next")) or url_for(default))


@bp.route("/furigana/<state>", methods=["POST"])
def switch(state: str):
    """Turn furigana on (every kanji, or the level chosen before) or off, and go back."""
    if state == "on":
        _save(furigana_level() or "all")
        flash(_("Furigana are on."))
    elif state == "off":
        _save(None)
        flash(_("Furigana are off."))
    else:
        abort(404)
    return _back("home.top")


@bp.route("/settings/reading", methods=["GET", "POST"])
def reading():
    """Settings → Reading: over which kanji furigana are shown (members and visitors)."""
    error = None
    if request.method == "POST":
        level = request.form.get("furigana", "")
        if level == "" or level in FURIGANA_LEVELS:
            _save(level or None)
            flash(_("Your reading setting was saved."))
            return redirect(url_for("learner.reading"))
        error = _("Please choose from the list.")
    return render(
        "settings/reading.html",
        status=400 if error else 200,
        levels=LEVEL_LABELS,
        current=furigana_level() or "",
        error=error,
    )


#: The texts that have a words page: kind -> (how to get one the viewer may read, its page).
_WORDS = {
    "diary": (diaries.get_visible, "diaries.show"),
    "topic": (topics.get_visible, "topics.show"),
}


@bp.route("/words/<kind>/<int:id>")
@login_required
def words(kind: str, id: int):
    """The words of a diary or topic with their readings and English meanings (phones link
    here from the text; PCs list them under it). Only for a text the viewer may read."""
    if kind not in _WORDS:
        abort(404)
    get_visible, endpoint = _WORDS[kind]
    post = or_404(get_visible(id, current_user.id))
    found = readings_of((kind, post)).words(kind, id)
    paging = paginate(len(found), number(), sizes().list_page)
    return render(
        "about/words.html",
        kind=kind,
        post=post,
        back=url_for(endpoint, id=id),
        words=found[paging.offset : paging.offset + paging.limit],
        paging=paging,
    )


@bp.route("/about/dictionaries")
def dictionaries():
    """Where the readings, glosses and kanji levels come from, with their licences."""
    return render("about/dictionaries.html")
