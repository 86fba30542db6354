"""Japanese-first internationalisation: ja, en, zh and ko, dates, counts and the switch.

- :mod:`.languages`: which language a request gets, what a device can show, the switch links;
- :mod:`.formats`: dates and numbers in each language's own form, in Japan time;
- :mod:`.text`: the templates' gettext (plural forms, contexts, half-width kana on phones);
- :mod:`.learner`: the learner-mode flag the learner aids share;
- :mod:`.catalogues`: the Babel toolchain (``flask translate``).
"""

from __future__ import annotations

from .formats import day, iso, locale_code, month_day, number, when, year_month
from .languages import (
    KEPT_KEY,
    LANGUAGE_NAMES,
    LOCALE_KEY,
    adopt_lang_param,
    carry_language,
    choose_for_visit,
    keep_for_browser,
    language_tag,
    offered_languages,
    select_locale,
    switch_links,
    take_visit_choice,
    unsaved_choice,
    visitor_language,
    wanted_locale,
)
from .learner import furigana_level, learner_mode, nickname
from .text import choose_hankaku, install_gettext, ui

__all__ = [
    "KEPT_KEY",
    "LANGUAGE_NAMES",
    "LOCALE_KEY",
    "choose_for_visit",
    "day",
    "furigana_level",
    "keep_for_browser",
    "language_tag",
    "learner_mode",
    "locale_code",
    "locale_tag",
    "month_day",
    "number",
    "offered_languages",
    "select_locale",
    "switch_links",
    "take_visit_choice",
    "ui",
    "unsaved_choice",
    "visitor_language",
    "wanted_locale",
    "when",
    "year_month",
]


def locale_tag() -> str:
    """Return the current language as a BCP 47 tag for ``lang`` attributes (``zh-Hans``)."""
    return language_tag(locale_code())


def init_app(app) -> None:
    """Register gettext, the date and number filters and the language globals."""
    from . import ruby

    install_gettext(app.jinja_env)
    ruby.init_app(app)
    app.before_request(adopt_lang_param)
    app.before_request(choose_hankaku)
    app.url_defaults(carry_language)
    app.jinja_env.filters.update(
        ui=ui,
        when=when,
        iso=iso,
        day=day,
        month_day=month_day,
        number=number,
        nickname=nickname,
    )
    app.jinja_env.globals.update(
        locale_code=locale_code,
        locale_tag=locale_tag,
        language_tag=language_tag,
        language_names=LANGUAGE_NAMES,
        switch_links=switch_links,
        offered_languages=offered_languages,
        unsaved_language=unsaved_choice,
        learner_mode=learner_mode,
        furigana_level=furigana_level,
        year_month=year_month,
    )
    app.jinja_env.policies["ext.i18n.trimmed"] = True
