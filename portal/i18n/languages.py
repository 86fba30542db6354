"""The UI languages: which one a request gets, which ones a device can show, and the switch.

The language of a request is, in order:

1. ``?lang=`` (links from the pages served without the session carry it: ``/jump`` drops the
   session id on purpose); elsewhere it also becomes the visit's choice, as the switch does;
2. the switch pressed in this visit (``session["locale"]``: a GET only changes the session);
3. the member's saved language (Settings, or the visitor's choice saved at login and signup);
4. the language kept when the member logged out of this browser;
5. the browser's ``Accept-Language``, then Japanese.

A device is offered only the languages whose whole catalogue it can show: Shift_JIS (CP932)
has no Hangul and lacks most simplified hanzi, so docomo and au phones get 日本語 and English,
and a phone whose member or visitor chose 简体中文 or 한국어 is shown English (docs/i18n.md).
"""

from __future__ import annotations

import functools
from gettext import GNUTranslations
from pathlib import Path
from typing import Any

from flask import current_app, g, has_request_context, request, session, url_for
from flask_babel import refresh
from flask_login import current_user

from ..filters import here
from ..keitai.encoding import shows

#: The session key of the language chosen with the switch in this visit.
LOCALE_KEY = "locale"
#: The session key of the language kept for the browser when its member logged out.
KEPT_KEY = "locale_kept"
#: Each language's own name, as the switch shows it.
LANGUAGE_NAMES = {"ja": "日本語", "en": "English", "zh": "简体中文", "ko": "한국어"}
#: BCP 47 tags for ``lang``, ``hreflang`` and ``xml:lang`` where they differ from the code.
LANGUAGE_TAGS = {"zh": "zh-Hans"}
#: What a device is shown when it cannot show the chosen language.
FALLBACK = "en"
#: Endpoints served without the session: their links carry ``?lang=`` instead of the session.
LANG_PARAM_ENDPOINTS = frozenset({"links.jump"})
LANG_PARAM = "lang"


def language_tag(code: str) -> str:
    """Return the BCP 47 tag of a UI language (``zh`` -> ``zh-Hans``)."""
    return LANGUAGE_TAGS.get(code, code)


@functools.lru_cache(maxsize=32)
def _catalogue_texts(directory: str, code: str) -> tuple[str, ...]:
    """Return every translated string of ``code``'s compiled catalogue, and its name."""
    path = Path(directory) / code / "LC_MESSAGES" / "messages.mo"
    texts = [LANGUAGE_NAMES.get(code, code)]
    if path.exists():
        with path.open("rb") as fh:
            catalog = GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
        texts.extend(value for value in catalog.values() if isinstance(value, str))
    return tuple(texts)


@functools.lru_cache(maxsize=64)
def _fits(directory: str, code: str, encoding: str) -> bool:
    return all(shows(text, encoding) for text in _catalogue_texts(directory, code))


def device_shows(code: str, encoding: str) -> bool:
    """Return whether a device in ``encoding`` shows all of ``code``'s UI text (cached)."""
    directory = current_app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0]
    return _fits(directory, code, encoding)


def offered_languages() -> list[str]:
    """Return the UI languages this request's device can show, in the configured order."""
    encoding = g.device.encoding if "device" in g else "utf-8"
    return [code for code in current_app.config["LANGUAGES"] if device_shows(code, encoding)]


def wanted_locale() -> str:
    """Return the language this request asks for, before the device is considered."""
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get(LANG_PARAM)
    if asked is not None and asked in languages:
        return asked
    if session.get(LOCALE_KEY) in languages:
        return session[LOCALE_KEY]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get(KEPT_KEY) in languages:
        return session[KEPT_KEY]
    return request.accept_languages.best_match(languages) or languages[0]


def adopt_lang_param() -> None:
    """Before a request: ``?lang=`` on a page with the session is the visit's choice from now on
    (the way back from a page served without it)."""
    asked = request.args.get(LANG_PARAM)
    if asked in current_app.config["LANGUAGES"] and request.endpoint not in LANG_PARAM_ENDPOINTS:
        if session.get(LOCALE_KEY) != asked:
            session[LOCALE_KEY] = asked


def carry_language(endpoint: str, values: dict) -> None:
    """URL defaults: on a page served without the session, to a phone that keeps no cookies,
    links back into the site carry the language instead."""
    if endpoint == "static" or not has_request_context():
        return
    if request.endpoint in LANG_PARAM_ENDPOINTS and not g.device.cookies:
        values.setdefault(LANG_PARAM, select_locale())


def select_locale() -> str:
    """Return the request's locale code (cached on ``g``): Flask-Babel's locale selector."""
    if "locale" in g:
        return g.locale
    chosen = wanted_locale()
    offered = offered_languages()
    if chosen not in offered:
        chosen = FALLBACK if FALLBACK in offered else offered[0]
    g.locale = chosen
    return chosen


def choose_for_visit(code: str) -> bool:
    """Show ``code`` for the rest of this visit (the switch, a GET: nothing stored changes).

    :return: whether ``code`` is one of the UI languages.
    """
    if code not in current_app.config["LANGUAGES"]:
        return False
    session[LOCALE_KEY] = code
    _forget_locale()
    return True


def _forget_locale() -> None:
    """Choose the request's locale again (the rest of the request speaks the new one)."""
    g.pop("locale", None)
    refresh()


def take_visit_choice() -> str | None:
    """Return the language chosen with the switch in this visit, and forget it (the caller
    saves it to the account: at login, at signup, from Settings)."""
    code = session.pop(LOCALE_KEY, None)
    _forget_locale()
    return code if code in current_app.config["LANGUAGES"] else None


def visitor_language() -> str | None:
    """Return the language a visitor showed they read: chosen, kept for the browser, or asked
    for by it (``None`` when nothing but the default speaks for one). Saved at signup."""
    languages = current_app.config["LANGUAGES"]
    for code in (session.get(LOCALE_KEY), session.get(KEPT_KEY)):
        if code in languages:
            return code
    return request.accept_languages.best_match(languages)


def keep_for_browser(code: str | None) -> None:
    """After logout: keep showing ``code`` in this browser (not saved to the next account)."""
    if code in current_app.config["LANGUAGES"]:
        session[KEPT_KEY] = code


def unsaved_choice() -> str | None:
    """Return the language a logged-in member switched to for this visit but has not saved."""
    code = session.get(LOCALE_KEY)
    if code and current_user.is_authenticated and code != current_user.locale:
        return code
    return None


def switch_links() -> list[tuple[str, str, str]]:
    """Return ``(code, tag, url)`` for each other language the device can show.

    The URL is the switch (``/lang/<code>?next=<here>``); on pages served without the session it
    is the same page with ``?lang=<code>``.
    """
    current = select_locale()
    links = []
    for code in offered_languages():
        if code == current:
            continue
        if request.endpoint in LANG_PARAM_ENDPOINTS:
            args: dict[str, Any] = {**request.args.to_dict(), LANG_PARAM: code}
            args[current_app.config["SESSION_URL_PARAM"]] = None
            url = url_for(request.endpoint, **args)
        else:
            url = url_for("settings.language", code=code, next=here())
        links.append((code, language_tag(code), url))
    return links
