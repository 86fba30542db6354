"""Anonymous sessions that store nothing: a signed, time-limited id instead of a session row.

A visitor who only reads (the top page, the login and signup forms) needs no stored session,
but the forms need a CSRF token the POST can be checked against. So a visitor's session gets an
*anonymous id*: random bits, the time it was issued and an HMAC over both and the device's
binding (:func:`~.session_ids.hash_binding`: the User-Agent and the carrier's gateway). It travels
like a session id (a cookie on a PC, in URLs on cookie-less phones) and values that must stay
the same from the form to its POST (the CSRF secret, under the keys given to
:class:`~.session.PortalSessionInterface`) are derived from it with the app's secret key, so
nothing is written until the session itself changes (a login, a flash message, a language).

The id is honoured only while its signature holds for this device and it is younger than the
session idle limit; a forged, foreign (another phone's) or old id is replaced by a fresh one,
and the token of the form it came with no longer matches (400, "the form expired").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

_RANDOM = 10
_TIME = 5
_MAC = 9
_LENGTH = _RANDOM + _TIME + _MAC
#: An anonymous id's length in characters (no base64 padding: 24 bytes are 32 characters).
ID_LENGTH = _LENGTH * 4 // 3


def _key(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def _mac(secret: str | bytes, payload: bytes, binding: str) -> bytes:
    message = b"anonymous-session\0" + binding.encode("ascii") + b"\0" + payload
    return hmac.new(_key(secret), message, hashlib.sha256).digest()[:_MAC]


def _seconds(now: datetime) -> int:
    return int((now - datetime(1970, 1, 1)).total_seconds())


def new_anonymous_id(secret: str | bytes, binding: str, now: datetime) -> str:
    """Return a fresh anonymous id for the device of ``binding``, issued at ``now`` (UTC)."""
    payload = secrets.token_bytes(_RANDOM) + _seconds(now).to_bytes(_TIME, "big")
    raw = payload + _mac(secret, payload, binding)
    return base64.urlsafe_b64encode(raw).decode("ascii")


def anonymous_id_holds(
    secret: str | bytes, sid: str | None, binding: str, now: datetime, max_age: timedelta
) -> bool:
    """Return whether ``sid`` is an anonymous id we issued to this device at most ``max_age``
    ago (and not in the future)."""
    if not sid or len(sid) != ID_LENGTH:
        return False
    try:
        raw = base64.urlsafe_b64decode(sid.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False
    payload, mac = raw[: _RANDOM + _TIME], raw[_RANDOM + _TIME :]
    if not hmac.compare_digest(mac, _mac(secret, payload, binding)):
        return False
    age = _seconds(now) - int.from_bytes(payload[_RANDOM:], "big")
    return 0 <= age <= max_age.total_seconds()


def derived_values(secret: str | bytes, sid: str, keys: tuple[str, ...]) -> dict[str, str]:
    """Return the values an anonymous session holds under ``keys`` (one secret each, derived
    from its id: the same on the form's page and on its POST, unknown to anyone else)."""
    return {
        key: hmac.new(_key(secret), f"{key}\0{sid}".encode("ascii"), hashlib.sha1).hexdigest()
        for key in keys
    }
