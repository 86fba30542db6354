"""Half-width (hankaku) katakana for keitai UI text.

In Shift_JIS a full-width katakana takes two bytes and its half-width form one (ログイン: 8 bytes,
ﾛｸﾞｲﾝ: 5), which buys room under a 5 KB page budget; keitai sites did this as a matter of course
(jpmobile's ``hankaku_filter``, KEITAI.md A7). In UTF-8 both forms take three bytes and voiced
kana split into two characters, so the conversion only pays on Shift_JIS devices.

Only UI text is converted: the portal applies :func:`to_hankaku` to translated strings (see
``portal.i18n``), never to what members wrote or to form values. Searches match both widths
(:func:`width_variants`): phones type ｶﾌｪ where PCs type カフェ.
"""

from __future__ import annotations

import functools

import jaconv


def pays_off(encoding: str) -> bool:
    """Return whether half-width kana make pages smaller in ``encoding``."""
    return encoding == "cp932"


@functools.lru_cache(maxsize=4096)
def to_hankaku(text: str) -> str:
    """Return ``text`` with full-width katakana and Japanese punctuation made half-width.

    Kanji, hiragana, Latin letters and digits are left as they are. Cached: UI strings repeat.
    """
    return jaconv.z2h(text, kana=True, ascii=False, digit=False)


def width_variants(query: str) -> list[str]:
    """Return ``query`` as typed, with katakana, Latin letters and digits all full-width, and
    all half-width (``ｶﾌｪ`` → ``カフェ``, ``ＰＣ`` → ``PC``), without repeats: a search matches
    any of them."""
    full = jaconv.h2z(query, kana=True, ascii=True, digit=True)
    half = jaconv.z2h(query, kana=True, ascii=True, digit=True)
    return list(dict.fromkeys((query, full, half)))
