"""WTForms forms. Field names are part of the public contract (PORTAL.md): keep them stable.

Forms parse and take a first look at input; the rules and limits are the services'. When a
service refuses (:class:`~portal.services.ServiceError`), :func:`refusal` puts its message
beside the field it names, so every form shows a refusal the same way.
"""

from __future__ import annotations

from flask_wtf import FlaskForm

from ..services import ServiceError


def refusal(form: FlaskForm, error: ServiceError, default: str | None = None) -> str | None:
    """Show a service's refusal beside the form field it names (``error.field``, else
    ``default``).

    :return: the message when it belongs to no field of ``form``, for the page to show above
        the form; ``None`` when a field shows it.
    """
    name = error.field or default
    field = form._fields.get(name) if name else None
    if field is None or field.type == "HiddenField":  # a hidden field shows no message
        return error.message
    field.errors = [*field.errors, error.message]
    return None
