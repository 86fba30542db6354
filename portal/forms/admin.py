"""Forms of reports (members) and of the admin pages (operators), with the labels they show."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from ..services import notices, reports, site_settings
from ._fields import REQUIRED, choices, limited, select
from .community import DateField

#: Why a member reports something.
REPORT_REASON_LABELS = {
    "spam": _l("Spam or advertising"),
    "harassment": _l("Harassment or insults"),
    "obscene": _l("Obscene or violent content"),
    "privacy": _l("Someone's personal information"),
    "other": _l("Something else"),
}
#: What was reported.
REPORT_KIND_LABELS = {
    "profile": _l("Profile"),
    "diary": _l("Diary"),
    "diary_comment": _l("Diary comment"),
    "topic": _l("Topic"),
    "topic_comment": _l("Topic comment"),
    "event_comment": _l("Event comment"),
    "review": _l("Review"),
    "message": _l("Message"),
}
#: What an operator's action was done to (the operator log).
TARGET_LABELS = {
    **REPORT_KIND_LABELS,
    "member": _l("Member"),
    "notice": _l("Notice"),
    "setting": _l("Setting"),
    "report": _lp("an abuse report, as operators see it", "Report"),
}
SIGNUP_POLICY_LABELS = {
    site_settings.INVITE: _l("By invitation only"),
    site_settings.MOBILE: _l("By invitation, or from a keitai (mail or subscriber ID)"),
    site_settings.OPEN: _l("Open to anyone 18 or older"),
}
#: How each action reads in the operator log.
ACTION_LABELS = {
    "stop_login": _l("Stopped login"),
    "resume_login": _l("Allowed login again"),
    "grant_premium": _l("Granted premium"),
    "revoke_premium": _l("Revoked premium"),
    "hide": _l("Hid"),
    "restore": _l("Restored"),
    "dismiss": _l("Closed a report"),
    "create_notice": _l("Wrote a notice"),
    "edit_notice": _l("Edited a notice"),
    "delete_notice": _l("Deleted a notice"),
    "change_setting": _l("Changed a setting"),
}
#: The buttons of the member and report pages, by action (each posts to ``admin.<action>``).
BUTTON_LABELS = {
    "stop_login": _l("Stop login"),
    "resume_login": _l("Allow login again"),
    "grant_premium": _l("Grant premium"),
    "revoke_premium": _l("Revoke premium"),
    "hide": _l("Hide it"),
    "restore": _l("Show it again"),
    "dismiss": _l("Close without action"),
}


class ReportForm(FlaskForm):
    """A report: a ``reason`` from the list and an optional ``text``."""

    reason = select(_l("Reason"), REPORT_REASON_LABELS, "spam")
    text = limited(
        TextAreaField,
        _l("Details (optional)"),
        reports.TEXT_MAX,
        reports.TEXT_PHONE_BYTES,
        required=False,
    )


class NoticeForm(FlaskForm):
    """A notice: ``title``, ``body`` and the days it shows, ``starts_on`` and ``ends_on``
    (optional, typed like ``2008-05-31``, days in Japan)."""

    title = limited(StringField, _l("Title"), notices.TITLE_MAX, notices.TITLE_PHONE_BYTES)
    body = limited(TextAreaField, _l("Text"), notices.BODY_MAX, notices.BODY_PHONE_BYTES)
    starts_on = DateField(_l("First day (optional, e.g. 2008-05-31)"))
    ends_on = DateField(_l("Last day (optional, e.g. 2008-06-30)"))


def _whole_number(form, field) -> None:
    value = (field.data or "").strip()
    if not value.isdigit() or int(value) > site_settings.INVITATIONS_MAX:
        raise ValidationError(
            _l("Please enter a number up to %(limit)s.", limit=site_settings.INVITATIONS_MAX)
        )


class SiteSettingsForm(FlaskForm):
    """The site settings: ``signup_policy`` and ``invitations_per_member``."""

    signup_policy = SelectField(_l("Signup"), choices=choices(SIGNUP_POLICY_LABELS))
    invitations_per_member = StringField(
        _l("Open invitations per member"), validators=[REQUIRED, _whole_number]
    )
