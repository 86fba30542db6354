"""Japanese-first internationalisation: locale choice, dates and the language switch.

The locale is, in order: the member's saved choice, the session's (a visitor who pressed the
switch), the browser's ``Accept-Language``, then Japanese. Times are stored in UTC and shown in
Asia/Tokyo in the form Japanese readers expect: ``2008年5月1日(木) 21:05``.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, g, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

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


def init_app(app) -> None:
    """Register the date filters and the ``locale`` template global."""
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["day"] = day
    app.jinja_env.globals["locale_code"] = locale_code
    app.jinja_env.policies["ext.i18n.trimmed"] = True
