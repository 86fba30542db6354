"""Forms of the music settings: who sees my music, and a new API token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from ._fields import choices
from .social import VISIBILITY_LABELS


class MusicSettingsForm(FlaskForm):
    """Who sees my recently played tracks and counts them in friends' charts."""

    visibility = SelectField(
        _l("Who can see my music"),
        choices=choices(VISIBILITY_LABELS),
    )


class TokenForm(FlaskForm):
    """Make a new ListenBrainz token (the old one stops working)."""
