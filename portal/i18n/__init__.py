"""Japanese-first internationalisation: locale choice, dates and the language switch.

The locale is, in order: the member's saved choice, the session's (a visitor who pressed the
switch), the browser's ``Accept-Language``, then Japanese. Times are stored in UTC and shown in
Asia/Tokyo in the form Japanese readers expect: ``2008年5月1日(木) 21:05``.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, g, request, session
from flask_babel import format_date, format_datetime, get_locale, get_translations
from flask_login import current_user

from ..keitai.hankaku import pays_off, to_hankaku

LOCALE_KEY = "locale"

#: Babel date patterns per locale; ``E`` is the short weekday (木 / Thu).
DATETIME_PATTERNS = {"ja": "y年M月d日(E) H:mm", "en": "EEE d MMM y, H:mm"}
DATE_PATTERNS = {"ja": "y年M月d日(E)", "en": "EEE d MMM y"}


def select_locale() -> str:
    """Return the request's locale code (cached on ``g``)."""
    if "locale" in g:
        return g.locale
    languages = current_app.config["LANGUAGES"]
    chosen = None
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        chosen = current_user.locale
    elif session.get(LOCALE_KEY) in languages:
        chosen = session[LOCALE_KEY]
    else:
        chosen = request.accept_languages.best_match(languages) or languages[0]
    g.locale = chosen
    return chosen


def locale_code() -> str:
    """Return the current locale as a language code (``ja``/``en``) for ``<html lang>``."""
    return str(get_locale() or "ja").split("_")[0]


def when(value: datetime | None) -> str:
    """Format a stored (naive UTC) datetime in Asia/Tokyo, e.g. ``2008年5月1日(木) 21:05``."""
    if value is None:
        return ""
    return format_datetime(value, DATETIME_PATTERNS.get(locale_code(), DATETIME_PATTERNS["ja"]))


def day(value: date | None) -> str:
    """Format a calendar date, e.g. ``1980年5月1日(木)``."""
    if value is None:
        return ""
    return format_date(value, DATE_PATTERNS.get(locale_code(), DATE_PATTERNS["ja"]))


def ui(text: str) -> str:
    """Return a translated UI string as this request shows it (half-width kana on SJIS phones)."""
    if g.get("hankaku"):
        return to_hankaku(text)
    return text


def _choose_hankaku() -> None:
    """Decide whether this request's UI kana go half-width (Shift_JIS phones, unless turned off)."""
    device = g.get("device")
    wanted = bool(device and g.get("mobile_view") and pays_off(device.encoding))
    if wanted and current_user.is_authenticated:
        wanted = current_user.hankaku
    g.hankaku = wanted


def _install_gettext(app) -> None:
    """Make template ``_()`` return UI text through :func:`ui`; user content never passes here."""

    def gettext(message):
        return ui(get_translations().ugettext(message))

    def ngettext(singular, plural, n):
        return ui(get_translations().ungettext(singular, plural, n))

    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)


def init_app(app) -> None:
    """Register the date filters, the ``ui`` filter, gettext and the ``locale`` global."""
    _install_gettext(app)
    app.before_request(_choose_hankaku)
    app.jinja_env.filters["ui"] = ui
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["day"] = day
    app.jinja_env.globals["locale_code"] = locale_code
    app.jinja_env.policies["ext.i18n.trimmed"] = True
