"""Messages (メッセージ): the folders, writing (drafts, replies), reading and the trash.

A message that is not the viewer's own (sent or received) answers the same 404 as one that
does not exist. The unread count of the menus comes from :func:`unread_messages`.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import page_cache
from ..forms import refusal
from ..forms.messages import SAVE_DRAFT, MessageForm
from ..keitai.paging import paginate
from ..models import Message
from ..rendering import render, sizes, text_parts
from ..services import ServiceError, messages
from ._loads import MEMBER, loads
from ._parts import number, or_404

bp = Blueprint("messages", __name__)


def unread_messages() -> int:
    """Return the member's unread message count for the menus: computed at most once per
    request, and only for a logged-in member (template global)."""
    if not current_user.is_authenticated:
        return 0
    if "unread_messages" not in g:
        g.unread_messages = messages.unread_count(current_user)
    return g.unread_messages


@bp.app_context_processor
def _menu_globals() -> dict:
    return {"unread_messages": unread_messages}


# -- folders ---------------------------------------------------------------------------------


@bp.route("/messages")
@page_cache.cached("messages")
@login_required
def index():
    """List a folder (``?folder=inbox|sent|drafts|trash``), newest first, a page at a time
    (from the page cache while nothing changed)."""
    folder = request.args.get("folder")
    if folder not in messages.FOLDERS:
        folder = messages.FOLDERS[0]
    me = current_user
    page = messages.folder_page(me, folder, number(), sizes().messages_page)
    return render(
        "messages/index.html",
        folder=folder,
        rows=page.items,
        paging=page.paging,
        trash_days=messages.trash_days(me),
    )


# -- writing ---------------------------------------------------------------------------------


@bp.route("/messages/new", methods=["GET", "POST"])
@login_required
def new():
    """Write a message: to ``?to=<member id>``, or a reply to ``?reply=<message id>`` (with the
    original quoted). The form sends, or saves a draft with its ``draft`` button."""
    reply = None
    if request.args.get("reply") is not None:
        reply = or_404(messages.reply_to(current_user, request.args.get("reply", 0, type=int)))
    if request.method == "GET":
        start = {"to": request.args.get("to", ""), "subject": "", "body": ""}
        if reply is not None:
            start = {"to": str(reply.to), "subject": reply.subject, "body": reply.body}
        return _compose_page(MessageForm(data=start), reply=reply)
    form = MessageForm()
    return _write(form, reply=reply, draft=None) or _compose_page(form, reply=reply)


@bp.route("/messages/<int:id>/edit", methods=["GET", "POST"])
@login_required
@loads("draft", messages.draft_of, viewer=MEMBER)
def edit(draft: Message):
    """Go on writing a draft: save it again, or send it."""
    if request.method == "GET":
        start = {"to": draft.recipient_id or "", "subject": draft.subject, "body": draft.body}
        return _compose_page(MessageForm(data=start), draft=draft)
    form = MessageForm()
    return _write(form, reply=None, draft=draft) or _compose_page(form, draft=draft)


def _write(form: MessageForm, *, reply, draft: Message | None):
    """Send or save the form; return the redirect, or ``None`` when the form was refused."""
    if not form.validate_on_submit():
        return None
    values = {
        "to": form.to.data,
        "subject": form.subject.data,
        "body": form.body.data,
        "reply_to": reply.original if reply is not None else None,
        "draft": draft,
    }
    try:
        if SAVE_DRAFT in request.form:
            messages.save_draft(current_user, **values)
        else:
            messages.send(current_user, **values)
    except ServiceError as exc:
        refusal(form, exc, default="body")
        return None
    if SAVE_DRAFT in request.form:
        flash(_("Your draft was saved."))
        return redirect(url_for("messages.index", folder="drafts"))
    flash(_("Your message was sent."))
    return redirect(url_for("messages.index"))


def _compose_page(form: MessageForm, *, reply=None, draft: Message | None = None):
    return render(
        "messages/compose.html",
        form=form,
        recipient=messages.recipient_for(current_user, form.to.data),
        reply=reply,
        draft=draft,
    )


# -- reading ---------------------------------------------------------------------------------


@bp.route("/messages/<int:id>")
@login_required
@loads("message", messages.read, viewer=MEMBER)
def show(message: Message):
    """Read a message (the recipient's first reading marks it read); a draft opens to edit."""
    if message.is_draft:
        return redirect(url_for("messages.edit", id=message.id))
    return _message_page(message)


def _message_page(message: Message, error=None):
    parts = text_parts(message.body)
    part = paginate(len(parts), number("part"), 1)
    state = messages.state_for(current_user, message)
    return render(
        "messages/show.html",
        message=message,
        body=parts[part.page - 1],
        part=part,
        is_sender=messages.is_sender(current_user, message),
        in_trash=state == "trashed",
        error=error,
    )


@bp.route("/messages/<int:id>/trash", methods=["POST"])
@login_required
@loads("message", messages.get_for, viewer=MEMBER)
def trash(message: Message):
    """Move a message to my trash (a draft is deleted)."""
    was = "drafts" if message.is_draft else None
    if was is None:
        was = "sent" if messages.is_sender(current_user, message) else "inbox"
    done = _("The message was moved to the trash.")
    return _file(message, messages.trash, done, url_for("messages.index", folder=was))


@bp.route("/messages/<int:id>/restore", methods=["POST"])
@login_required
@loads("message", messages.get_for, viewer=MEMBER)
def restore(message: Message):
    """Take a message out of my trash."""
    done = _("The message was restored.")
    return _file(message, messages.restore, done, url_for("messages.show", id=message.id))


@bp.route("/messages/<int:id>/delete", methods=["POST"])
@login_required
@loads("message", messages.get_for, viewer=MEMBER)
def delete(message: Message):
    """Delete a message in my trash (or a draft) for good."""
    folder = "drafts" if message.is_draft else "trash"
    done = _("The message was deleted.")
    return _file(message, messages.delete_for_good, done, url_for("messages.index", folder=folder))


def _file(message: Message, action, done: str, back: str):
    """Move the message (``action``: to the trash, back, away for good) and go ``back``; a
    refusal shows on the message's page."""
    try:
        action(current_user, message)
    except ServiceError as exc:
        return _message_page(message, error=exc.message)
    flash(done)
    return redirect(back)
