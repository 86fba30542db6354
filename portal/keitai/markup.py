"""Markup per carrier: one documented choice each, and the input-mode hints for text fields.

Choices (facts from KEITAI.md B3):

* **docomo and WILLCOM: i-mode HTML (cHTML)**, ``text/html``, no DOCTYPE. i-XHTML would need an
  XML declaration, the i-mode DOCTYPE and ``application/xhtml+xml`` on every page, and i-mode
  browser 1.0 supports only inline ``style`` attributes either way; cHTML is understood by
  every i-mode generation and costs the fewest bytes. Input mode: ``istyle`` 1-4.
* **au: XHTML Mobile with the Openwave DOCTYPE**, served as ``text/html`` as au sites were.
  Input mode: ``format`` (``*M`` kana, ``*m`` alphabet, ``*N`` digits).
* **SoftBank: XHTML Basic with the J-PHONE DOCTYPE**, served as ``text/html``. Input mode:
  ``mode`` (``hiragana``, ``alphabet``, ``numeric``).

One template tree serves all three: the mobile templates are written in the XHTML-compatible
subset (lower-case tags, quoted attributes, ``<br />``) that cHTML browsers also read, styling is
inline only, and there is no script anywhere. Old au WAP1 handsets (UP.Browser 3, HDML only) are
not served HDML: they get the same pages, which most of them cannot show; noted as a limitation.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from markupsafe import Markup

#: Input kinds a text field can ask for.
KINDS = ("kana", "alpha", "numeric")

_ISTYLE = MappingProxyType({"kana": "1", "alpha": "3", "numeric": "4"})
_AU_FORMAT = MappingProxyType({"kana": "*M", "alpha": "*m", "numeric": "*N"})
_SOFTBANK_MODE = MappingProxyType({"kana": "hiragana", "alpha": "alphabet", "numeric": "numeric"})


@dataclass(frozen=True)
class MarkupProfile:
    """How pages are written for one kind of device."""

    name: str
    doctype: str
    input_attribute: str
    input_values: MappingProxyType[str, str]

    def input_mode(self, kind: str) -> Markup:
        """Return the attribute that opens the handset's input method in ``kind`` mode.

        :param kind: one of :data:`KINDS`.
        """
        if not self.input_attribute:
            return Markup("")
        return Markup(' {}="{}"').format(self.input_attribute, self.input_values[kind])

    @property
    def xmlns(self) -> Markup:
        """Return the XHTML namespace attribute for ``<html>`` (empty for cHTML and HTML5)."""
        if self.name.startswith("xhtml"):
            return Markup(' xmlns="http://www.w3.org/1999/xhtml"')
        return Markup("")

    def lang(self, tag: str) -> Markup:
        """Return the attribute naming an element's language: ``lang`` in HTML and cHTML (whose
        browsers ignore what they do not know), ``xml:lang`` beside it in XHTML (as XHTML 1.0
        Appendix C advises; XHTML Basic knows only ``xml:lang``).

        :param tag: a BCP 47 language tag (``en``, ``zh-Hans``).
        """
        if self.name.startswith("xhtml"):
            return Markup(' lang="{0}" xml:lang="{0}"').format(tag)
        return Markup(' lang="{}"').format(tag)

    def link_lang(self, tag: str) -> Markup:
        """Return the attributes of a link to a page in another language: its text's language
        and, where the markup has it (HTML5, XHTML's Hypertext module; not cHTML), ``hreflang``.
        """
        if self.name == "chtml":
            return self.lang(tag)
        return self.lang(tag) + Markup(' hreflang="{}"').format(tag)

    @property
    def head(self) -> Markup:
        """Return the DOCTYPE line (empty for cHTML)."""
        return Markup(self.doctype)  # noqa: S704 (a constant of this module)


CHTML = MarkupProfile("chtml", "", "istyle", _ISTYLE)
AU_XHTML = MarkupProfile(
    "xhtml-au",
    '<!DOCTYPE html PUBLIC "-//OPENWAVE//DTD XHTML 1.0//EN" '
    '"http://www.openwave.com/DTD/xhtml-basic.dtd">\n',
    "format",
    _AU_FORMAT,
)
SOFTBANK_XHTML = MarkupProfile(
    "xhtml-softbank",
    '<!DOCTYPE html PUBLIC "-//J-PHONE//DTD XHTML Basic 1.0 Plus//EN" "xhtml-basic10-plus.dtd">\n',
    "mode",
    _SOFTBANK_MODE,
)
#: PCs and smartphones that asked for the mobile view: plain HTML5, no input hints.
HTML5 = MarkupProfile("html5", "<!DOCTYPE html>\n", "", MappingProxyType({}))

_BY_CARRIER = MappingProxyType({"au": AU_XHTML, "softbank": SOFTBANK_XHTML})


def profile_for(carrier: str, is_keitai: bool) -> MarkupProfile:
    """Return the markup profile for a device's carrier."""
    if not is_keitai:
        return HTML5
    return _BY_CARRIER.get(carrier, CHTML)
