"""The form of the blog import setting (an external blog's RSS/Atom feed)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length

from ._fields import REQUIRED, choices
from .social import VISIBILITY_LABELS


class BlogFeedForm(FlaskForm):
    """The feed's address (``url``) and who may read the diaries it brings (``visibility``)."""

    url = StringField(
        _l("Feed address (RSS or Atom)"),
        validators=[REQUIRED, Length(max=2000, message=_l("The address is too long."))],
    )
    visibility = SelectField(
        _l("Who can read the imported diaries"),
        choices=choices(VISIBILITY_LABELS),
    )
