"""Easy login (かんたんログイン): log in with one press by the phone's subscriber ID.

The ID (docomo i-mode ID, au subscriber number, SoftBank UID) is trusted only as far as
:func:`portal.keitai.detect` trusts it: sent by the device's own carrier gateway (REMOTE_ADDR in
that carrier's ranges, after proxies configured with ``PROXY_HOPS``). On top of that the Host
header must be one of ours, which defeats the DNS-rebinding attack on i-mode browser 2.0
(KEITAI.md B7). Only a keyed hash of the ID is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..extensions import db
from ..hosts import request_host_is_configured
from ..keitai import Device
from ..models import Member, MobileId
from . import ServiceError
from ._sql import execute_dml

logger = logging.getLogger(__name__)


def digest(carrier: str, subscriber_id: str) -> str:
    """Return the stored form of a subscriber ID: HMAC-SHA256 under the app's secret."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, f"{carrier}:{subscriber_id}".encode(), hashlib.sha256).hexdigest()


def host_is_ours() -> bool:
    """Return whether the request's Host is one the operator declared (``PUBLIC_URL``,
    ``SERVER_NAME``, ``SERVER_HOSTS``; the development fallback of :mod:`portal.hosts` does not
    count). Every request is already refused for other hosts; this stays as a second lock."""
    return request_host_is_configured()


def usable_id(device: Device) -> str | None:
    """Return the device's subscriber ID if easy login may use it on this request."""
    if device.subscriber_id is None:
        return None
    if not host_is_ours():
        logger.warning("easy login refused: Host %r is not configured", request.host)
        return None
    return device.subscriber_id


def member_for(device: Device) -> Member | None:
    """Return the member who registered this phone, if the ID can be trusted."""
    subscriber_id = usable_id(device)
    if subscriber_id is None:
        return None
    stmt = (
        select(Member)
        .join(MobileId, MobileId.member_id == Member.id)
        .where(
            MobileId.carrier == device.carrier,
            MobileId.digest == digest(device.carrier, subscriber_id),
        )
    )
    member = db.session.scalar(stmt)
    if member is None or member.login_stopped:
        return None
    return member


def is_registered(device: Device) -> bool:
    """Return whether some member (logging in or not) registered this phone's trusted ID."""
    subscriber_id = usable_id(device)
    if subscriber_id is None:
        return False
    stmt = select(MobileId.id).where(
        MobileId.carrier == device.carrier,
        MobileId.digest == digest(device.carrier, subscriber_id),
    )
    return db.session.scalar(stmt) is not None


def register(member: Member, device: Device) -> None:
    """Register the phone in hand for ``member``'s easy login (replacing one of that carrier).

    :raise ServiceError: when the phone sent no trustworthy subscriber ID.
    """
    subscriber_id = usable_id(device)
    if subscriber_id is None:
        raise ServiceError(_l("This phone did not send its ID. Check its settings and try again."))
    key = digest(device.carrier, subscriber_id)
    db.session.execute(
        delete(MobileId).where(
            (MobileId.member_id == member.id) & (MobileId.carrier == device.carrier)
            | (MobileId.carrier == device.carrier) & (MobileId.digest == key)
        )
    )
    db.session.add(MobileId(member_id=member.id, carrier=device.carrier, digest=key))
    db.session.flush()


def unregister(member: Member) -> int:
    """Remove all of ``member``'s registered phones; return how many."""
    result = execute_dml(delete(MobileId).where(MobileId.member_id == member.id))
    return result.rowcount


def registered_carriers(member: Member) -> list[str]:
    """Return the carriers of the phones ``member`` registered."""
    stmt = (
        select(MobileId.carrier).where(MobileId.member_id == member.id).order_by(MobileId.carrier)
    )
    return list(db.session.scalars(stmt))
