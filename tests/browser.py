"""A small browser for tests: follows the site as a phone or a PC would.

It decodes each page with the charset the response declares (strictly: a page that is not valid
in its own charset fails the test), finds links and forms in the HTML, posts forms with their
hidden fields (the CSRF token, and nothing else added by the test), encodes what it types in the
device's encoding, and follows redirects through the absolute ``Location`` the site sends. With
``cookies=False`` it keeps no cookies, like an i-mode browser 1.0 handset: the session survives
only if the site carries it in URLs.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

from flask import Flask
from werkzeug.test import TestResponse
from werkzeug.wrappers import Response

# Real user agents, from tests/keitai/data/user_agents.json (see SOURCES.md there).
DOCOMO_MOVA = "DoCoMo/1.0/D501i"
DOCOMO_FOMA = "DoCoMo/2.0 SH902i(c100;TB;W24H16)"
AU = "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0"
SOFTBANK = "SoftBank/1.0/910T/TJ001/SN000000000000000 Browser/NetFront/3.3 Profile/MIDP-2.0"
PC = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


@dataclass
class Form:
    """A form on a page: its action, method and the fields as the page filled them."""

    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    enctype: str = "application/x-www-form-urlencoded"
    #: The names of its file inputs, one entry per input.
    file_inputs: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.forms: list[Form] = []
        self.tags: set[str] = set()
        self.accesskeys: dict[str, str] = {}
        self._href: str | None = None
        self._text: list[str] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "a" and "href" in a:
            self._href, self._text = a["href"], []
            if a.get("accesskey"):
                self.accesskeys[a["accesskey"]] = a["href"]
        elif tag == "form":
            form = Form(a.get("action", ""), (a.get("method") or "get").lower())
            form.enctype = (a.get("enctype") or form.enctype).lower()
            self.forms.append(form)
        elif tag in ("input", "textarea", "select") and self.forms and a.get("name"):
            if a.get("type") == "file":
                self.forms[-1].file_inputs.append(a["name"])
            elif a.get("type") not in ("submit", "button", "reset", "checkbox", "radio"):
                self.forms[-1].fields[a["name"]] = a.get("value") or ""

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None


class Page:
    """One response as the browser saw it."""

    def __init__(self, response: TestResponse, url: str) -> None:
        self.response = response
        self.url = url
        self.status = response.status_code
        self.headers = response.headers
        self.body: bytes = response.get_data()
        response.close()  # a file response (static files) holds its file open until closed
        self.charset = response.mimetype_params.get("charset", "utf-8")
        codec = {"shift_jis": "cp932"}.get(self.charset.lower(), self.charset)
        self.text = self.body.decode(codec) if response.mimetype == "text/html" else ""
        parser = _PageParser()
        parser.feed(self.text)
        self.links, self.forms = parser.links, parser.forms
        self.tags, self.accesskeys, self.html_lang = (
            parser.tags,
            parser.accesskeys,
            parser.html_lang,
        )

    def link(self, text: str) -> str:
        """Return the href of the first link whose text contains ``text``."""
        for href, label in self.links:
            if text in label:
                return href
        raise AssertionError(f"no link {text!r} on {self.url}: {self.links}")

    def form(self, action_part: str = "") -> Form:
        """Return the first form whose action path is ``action_part`` (when it starts with
        ``/``) or whose action contains it."""
        for form in self.forms:
            if action_part.startswith("/"):
                if urlsplit(form.action).path == action_part:
                    return form
            elif action_part in form.action:
                return form
        raise AssertionError(f"no form {action_part!r} on {self.url}")

    def __contains__(self, text: str) -> bool:
        return text in self.text


class Browser:
    """Drive the app like a handset or PC browser.

    :param app: the Flask app.
    :param user_agent: the User-Agent header to send.
    :param cookies: whether the browser keeps cookies.
    :param headers: further request headers (e.g. ``Accept-Language``).
    :param remote_addr: the client address the app sees.
    :param encoding: the charset to type in (default: the page's).
    :param host: the Host header to send.
    """

    def __init__(
        self,
        app: Flask,
        user_agent: str = PC,
        *,
        cookies: bool = True,
        headers: dict[str, str] | None = None,
        remote_addr: str = "127.0.0.1",
        encoding: str | None = None,
        host: str = "localhost",
    ) -> None:
        self.client = app.test_client(use_cookies=cookies)
        self.user_agent = user_agent
        self.headers = dict(headers or {})
        self.remote_addr = remote_addr
        self.encoding = encoding
        self.base_url = f"http://{host}/"
        self.page: Page | None = None
        self.history: list[Page] = []

    def _environ(self) -> dict:
        return {"REMOTE_ADDR": self.remote_addr}

    def _send(
        self, method: str, url: str, body: bytes | None = None, content_type: str | None = None
    ) -> Page:
        parts = urlsplit(url)
        path = parts.path or "/"
        headers = {"User-Agent": self.user_agent, **self.headers}
        kwargs = {
            "headers": headers,
            "environ_overrides": self._environ(),
            "base_url": self.base_url,
        }
        if parts.query:
            kwargs["query_string"] = parts.query
        if body is not None:
            kwargs["data"] = body
            kwargs["content_type"] = content_type or "application/x-www-form-urlencoded"
        response = self.client.open(path, method=method, **kwargs)
        page = Page(response, url)
        self.history.append(page)
        self.page = page
        return page

    def get(self, url: str, *, follow: bool = True) -> Page:
        """GET ``url`` (relative to the current page), following redirects."""
        page = self._send("GET", self._resolve(url))
        return self._follow(page) if follow else page

    def click(self, text: str) -> Page:
        """Follow the link whose text contains ``text`` on the current page."""
        return self.get(self.page.link(text))

    def submit(
        self,
        action_part: str = "",
        data: dict[str, str] | None = None,
        *,
        drop: tuple[str, ...] = (),
        follow: bool = True,
        raw: bytes | None = None,
    ) -> Page:
        """Fill and send a form of the current page.

        :param action_part: picks the form whose action contains this.
        :param data: values typed into fields (encoded in the page's charset).
        :param drop: hidden fields to leave out (e.g. ``csrf_token``, to play a forger).
        :param raw: send these body bytes as they are instead (broken encodings).
        """
        form = self.page.form(action_part)
        values = {k: v for k, v in {**form.fields, **(data or {})}.items() if k not in drop}
        charset = self.encoding or self.page.charset
        codec = {"shift_jis": "cp932"}.get(charset.lower(), charset)
        body = raw if raw is not None else urlencode(values, encoding=codec).encode("ascii")
        url = self._resolve(form.action or self.page.url)
        page = self._send("POST", url, body)
        return self._follow(page) if follow else page

    def submit_files(
        self,
        action_part: str = "",
        data: dict[str, str] | None = None,
        files: list[tuple[str, str, bytes]] = (),
        *,
        follow: bool = True,
    ) -> Page:
        """Send a form of the current page as ``multipart/form-data``, the way a handset does:
        field values and file names in the page's charset, file bytes as they are.

        :param files: ``(field name, file name, bytes)`` for each file chosen.
        """
        form = self.page.form(action_part)
        assert form.enctype == "multipart/form-data", f"{form.action} is not a file form"
        charset = self.encoding or self.page.charset
        codec = {"shift_jis": "cp932"}.get(charset.lower(), charset)
        boundary = "----keitaiPortalTestBoundary7MA4YWxk"
        chunks = []
        for name, value in {**form.fields, **(data or {})}.items():
            chunks.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode(
                    "ascii"
                )
                + value.encode(codec)
                + b"\r\n"
            )
        for name, filename, content in files:
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'
            )
            chunks.append(head.encode(codec) + content + b"\r\n")
        body = b"".join(chunks) + f"--{boundary}--\r\n".encode("ascii")
        url = self._resolve(form.action or self.page.url)
        content_type = f"multipart/form-data; boundary={boundary}"
        page = self._send("POST", url, body, content_type)
        return self._follow(page) if follow else page

    def _resolve(self, url: str) -> str:
        base = self.page.url if self.page else "/"
        full = urljoin("http://localhost" + base if base.startswith("/") else base, url)
        parts = urlsplit(full)
        return parts.path + ("?" + parts.query if parts.query else "")

    def _follow(self, page: Page) -> Page:
        hops = 0
        while page.status in (301, 302, 303, 307, 308):
            hops += 1
            assert hops < 10, "redirect loop"
            location = page.headers["Location"]
            assert urlsplit(location).scheme in ("http", "https"), f"relative Location {location}"
            page = self._send("GET", self._resolve(location))
        return page


def sid_of(url: str) -> str | None:
    """Return the ``sid`` query parameter of ``url``."""
    return (parse_qs(urlsplit(url).query).get("sid") or [None])[0]


class HttpBrowser(Browser):
    """:class:`~tests.browser.Browser` over HTTP to a loopback port (``port`` may change
    between requests: nginx, or one waitress process directly). It keeps no cookies."""

    def __init__(self, port: int, user_agent: str = PC, *, headers: dict | None = None) -> None:
        self.port = port
        self.user_agent = user_agent
        self.headers = dict(headers or {})
        self.remote_addr = "127.0.0.1"
        self.encoding = None
        self.base_url = f"http://127.0.0.1:{port}/"
        self.page: Page | None = None
        self.history: list[Page] = []

    def _send(self, method, url, body=None, content_type=None) -> Page:
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"User-Agent": self.user_agent, "Host": f"127.0.0.1:{self.port}"}
        headers.update(self.headers)
        if body is not None:
            headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            response = Response(reply.read(), status=reply.status, headers=reply.getheaders())
        finally:
            connection.close()
        page = Page(response, path)
        self.history.append(page)
        self.page = page
        return page


def wait_until(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
