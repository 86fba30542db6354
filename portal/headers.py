"""Security headers and cookie settings on every response.

* ``X-Content-Type-Options: nosniff`` everywhere (a member's upload is never run as a page).
* ``Referrer-Policy: same-origin`` (set by the keitai layer; ``/jump`` sends ``no-referrer``): a
  URL with the session id in it is never sent to another site. Phones that ignore the header
  never reach another site from such a page: member links go through ``/jump``.
* PC pages: a ``Content-Security-Policy`` (no script at all, no plugins, forms only to us,
  ``frame-ancestors 'none'``) and ``X-Frame-Options: DENY`` for older browsers; pages of the
  mobile tree shown to a smartphone get ``frame-ancestors 'none'`` (keitai browsers do not frame
  and read no CSP: they are sent none, every header byte counts there).
* ``Vary: Accept-Language, Cookie`` on every HTML page (beside the keitai layer's
  ``User-Agent``): a page depends on the language asked for and on the session, so no cache
  hands one reader's page to another.
* ``Cache-Control: private, no-store`` on everything served to a member, and on every response
  whose links carry a session id, in both renderings: no carrier gateway, proxy or shared PC
  keeps a member's page (or someone's session id). Responses that chose their own
  ``Cache-Control`` (member photos: ``private``) keep it.
* Over HTTPS (``PUBLIC_URL`` https, or ``PREFERRED_URL_SCHEME``), cookies are ``Secure`` unless
  ``SESSION_COOKIE_SECURE`` says otherwise, and the response asks for HSTS; they are always
  ``HttpOnly``.
"""

from __future__ import annotations

from flask import Flask, Response, g, request, session

from .keitai import response_headers

#: The PC pages' policy: styles are inline (one <style> and style attributes), images ours.
PC_POLICY = (
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'"
)
FRAME_POLICY = "frame-ancestors 'none'"
HSTS = "max-age=31536000"


def _is_keitai() -> bool:
    device = g.get("device")
    return bool(device is not None and device.is_keitai)


def _private() -> bool:
    """Whether this response is a member's, or carries a session id in its links."""
    if request.endpoint == "static":
        return False
    current = session._get_current_object()  # type: ignore[attr-defined]
    if getattr(current, "id_in_urls", False):
        return True
    # The member loaded during the request, if any: asking it ``is_authenticated`` after the
    # commit would reload the expired row (one more query per page) to read ``login_stopped``,
    # which the loader already checked.
    user = g.get("_login_user")
    if user is not None:
        return not user.is_anonymous
    # No member was loaded (a page from the page cache, a visitor's page): a session naming
    # one is a member's. Logins live in the session alone (no remember-me cookie is issued),
    # so asking Flask-Login would only load that member, or hash a visitor's identifier.
    return current.get("_user_id") is not None


def _add_headers(response: Response) -> Response:
    """Add the headers, in one look at those the response has (the same headers, in the same
    order, as setting each in turn)."""
    headers = response.headers
    present = response_headers.names(headers)
    added: list[tuple[str, str]] = []
    if "x-content-type-options" in present:
        headers.set("X-Content-Type-Options", "nosniff")
    else:
        added.append(("X-Content-Type-Options", "nosniff"))
    content_type = response_headers.first(headers, "Content-Type") if present else None
    if content_type and content_type.partition(";")[0].strip() == "text/html":
        # Pages differ by device (the keitai layer adds User-Agent), language and session.
        if "vary" in present:
            response_headers.add_vary(response, "Accept-Language", "Cookie")
        else:
            added.append(("Vary", "Accept-Language, Cookie"))
        if not g.get("mobile_view", False):
            if "content-security-policy" not in present:
                added.append(("Content-Security-Policy", PC_POLICY))
            if "x-frame-options" not in present:
                added.append(("X-Frame-Options", "DENY"))
        elif not _is_keitai() and "content-security-policy" not in present:
            added.append(("Content-Security-Policy", FRAME_POLICY))
    if "cache-control" not in present and _private():
        added.append(("Cache-Control", "private, no-store"))
    if request.is_secure and "strict-transport-security" not in present:
        added.append(("Strict-Transport-Security", HSTS))
    for name, value in added:
        headers.add(name, value)
    return response


def served_over_https(app: Flask) -> bool:
    """Return whether the configuration says the site is reached over HTTPS."""
    public = app.config.get("PUBLIC_URL") or ""
    return public.startswith("https://") or app.config.get("PREFERRED_URL_SCHEME") == "https"


def init_app(app: Flask) -> None:
    """Settle the cookie flags and add the headers to every response."""
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config.get(key) is None:
            app.config[key] = served_over_https(app)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.after_request(_add_headers)
