"""UI text as a request shows it: translated, counts in the language's plural forms and number
format, and katakana half-width on Shift_JIS phones unless learner mode is on.

Templates call ``_()``, ``ngettext()``, ``pgettext()`` and ``npgettext()`` (Jinja's new-style
gettext: ``%(name)s`` placeholders filled by keyword, ``%(num)s`` by the count, formatted with
the language's grouping). Member content never passes here.
"""

from __future__ import annotations

from flask import g
from flask_babel import format_number, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from ..keitai.hankaku import pays_off, to_hankaku
from .learner import learner_mode


def ui(text: str) -> str:
    """Return a translated UI string as this request shows it (half-width kana on SJIS phones)."""
    if hankaku():
        return to_hankaku(text)
    return text


def choose_hankaku() -> None:
    """Before a request: its UI kana width is decided on first use (:func:`hankaku`; a page
    from the page cache asks nothing of the member). A request refused before this hook (a
    foreign Host) keeps full-width kana."""
    g.hankaku = None


def hankaku() -> bool:
    """Return whether this request's UI kana go half-width: Shift_JIS phones in the mobile
    rendering, unless the member turned it off or learner mode is on (full-width kana are
    easier to read for learners). Kept on ``g``."""
    wanted = g.get("hankaku", False)
    if wanted is None:
        device = g.get("device")
        wanted = bool(device and g.get("mobile_view") and pays_off(device.encoding))
        if wanted and current_user.is_authenticated:
            wanted = current_user.hankaku
        if wanted and learner_mode():
            wanted = False
        g.hankaku = wanted
    return bool(wanted)


def _format(context, text: str, variables: dict) -> str:
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 (a translated UI string, as Jinja's own gettext does)
    return text % variables


@pass_context
def _gettext(context, message: str, **variables) -> str:
    return _format(context, ui(get_translations().ugettext(message)), variables)


@pass_context
def _ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", format_number(num))
    text = ui(get_translations().ungettext(singular, plural, num))
    return _format(context, text, variables)


@pass_context
def _pgettext(context, msgctxt: str, message: str, **variables) -> str:
    return _format(context, ui(get_translations().upgettext(msgctxt, message)), variables)


@pass_context
def _npgettext(context, msgctxt: str, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", format_number(num))
    text = ui(get_translations().unpgettext(msgctxt, singular, plural, num))
    return _format(context, text, variables)


def install_gettext(env) -> None:
    """Give templates the new-style gettext functions above (``{% trans %}`` blocks too)."""
    env.newstyle_gettext = True
    env.globals.update(
        gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, npgettext=_npgettext
    )
