"""The demo world's operator side (called from :func:`portal.demo.seed`): a notice on every
member's home and one open report in the queue of admin@example.jp.

Dated relative to the world's epoch (``portal.demo._clock.epoch``), so the notice shows
whenever the world was seeded.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..extensions import db
from ..models import Diary, Member
from ..models._time import to_tokyo

NOTICE_TITLE = "メンテナンスのお知らせ🔧"
NOTICE_BODY = (
    "いつもケータイポータルをご利用いただきありがとうございます。\n"
    "来週の火曜日 2:00〜5:00 にメンテナンスを行います。その間はご利用いただけません。\n"
    "ご迷惑をおかけしますが、よろしくお願いいたします。"
)


def create_admin_content(ids: dict[str, int], epoch: datetime) -> str:
    """A notice shown for 30 days from the epoch, and hanako's report of a stranger's diary."""
    from ..services import diaries, notices, reports

    operator, hanako = (db.session.get_one(Member, ids[k]) for k in ("admin", "hanako"))
    notice = notices.create(
        operator,
        title=NOTICE_TITLE,
        body=NOTICE_BODY,
        first=None,
        last=to_tokyo(epoch).date() + timedelta(days=30),
    )
    notice.created_at = notice.updated_at = epoch - timedelta(hours=6)
    fixed = [ids[k] for k in ("taro", "hanako", "jiro", "admin")]
    diary = db.session.scalar(
        diaries.visible_diaries(hanako.id)
        .where(Diary.visibility == "public", Diary.author_id.not_in(fixed))
        .order_by(Diary.id)
        .limit(1)
    )
    made = 0
    if diary is not None:
        report = reports.file(
            hanako,
            "diary",
            diary.id,
            reason="spam",
            text="同じ宣伝を何度も書いているようです。",
        )
        report.created_at = epoch - timedelta(hours=1)
        made = 1
    db.session.flush()
    return f"1 notice, {made} open report"
