"""Who a failed login counts against, so that an attacker slows themselves, not their victim.

Flask-Limiter counts failed logins (``deduct_when``) under the keys made here:

* password logins: per **address and client** (``LOGIN_RATE_LIMIT``, strict), plus a gentler
  limit per **address** alone (``LOGIN_RATE_LIMIT_PER_ADDRESS``) against guessing from many
  machines. Someone typing wrong passwords for another member's address locks only their own
  client out; the member logs in from theirs.
* easy login: per **subscriber ID** (``LOGIN_RATE_LIMIT``): carrier gateways share their IP
  addresses among thousands of phones, so counting per IP let five failures lock out a whole
  gateway.

The client is the phone's subscriber ID when its gateway vouches for it, else the IP address;
behind a carrier gateway (one address, many phones) the address and the User-Agent.
"""

from __future__ import annotations

import hashlib

from flask import request

from ..keitai import Device
from .accounts import normalise_email
from .easy_login import digest


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def client_key(device: Device) -> str:
    """Return who is asking: the subscriber ID, else the address (and UA behind a gateway)."""
    if device.subscriber_id is not None:
        return "id:" + digest(device.carrier, device.subscriber_id)
    address = request.remote_addr or "-"
    if device.gateway is not None:
        return f"gw:{address}:{_short_hash(device.user_agent)}"
    return "ip:" + address


def address_key() -> str:
    """Return the key of the address tried in a password login (a hash: no addresses in Redis)."""
    return "login-address:" + _short_hash(normalise_email(request.form.get("email", "")))


def reset_client_key(device: Device) -> str:
    """Return the key of password-reset mails asked by one client."""
    return "reset-client:" + client_key(device)


def reset_address_key() -> str:
    """Return the key of password-reset mails asked for one address."""
    return "reset-" + address_key()


def password_key(device: Device) -> str:
    """Return the key of a password login: the address tried and the client trying it."""
    return f"{address_key()}:{client_key(device)}"


def easy_login_key(device: Device) -> str:
    """Return the key of an easy login: the subscriber ID (without one it cannot succeed, and
    the client's address counts)."""
    return "easy-login:" + client_key(device)
