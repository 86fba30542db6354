"""Forms of the music settings: who sees my music, and a new API token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from .social import VISIBILITY_LABELS


class MusicSettingsForm(FlaskForm):
    """Who sees my recently played tracks and counts them in friends' charts."""

    visibility = SelectField(
        _l("Who can see my music"),
        choices=[SelectChoice(key, label) for key, label in VISIBILITY_LABELS.items()],
    )


class TokenForm(FlaskForm):
    """Make a new ListenBrainz token (the old one stops working)."""
