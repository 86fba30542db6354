"""The review form (レビュー) and the translated names of the review categories."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..models.review import RATINGS, ReviewCategory
from ..services.reviews import BODY_MAX, BODY_PHONE_BYTES, TITLE_MAX, URL_MAX
from ._fields import limited, select


def stars(rating: int) -> str:
    """Return a rating as five stars, filled up to it: 3 -> ``★★★☆☆`` (both are in CP932)."""
    rating = max(0, min(int(rating or 0), len(RATINGS)))
    return "★" * rating + "☆" * (len(RATINGS) - rating)


class ReviewForm(FlaskForm):
    """A review: ``title``, ``category``, ``rating`` (1-5), ``url`` (optional) and ``body``."""

    title = limited(StringField, _l("Title"), TITLE_MAX)
    category = select(_l("Category"), ReviewCategory.labels(), "book")
    rating = SelectField(
        _l("Rating"),
        choices=[SelectChoice(str(n), stars(n)) for n in reversed(RATINGS)],
        default="3",
    )
    url = limited(StringField, _l("Link (optional)"), URL_MAX, required=False)
    body = limited(TextAreaField, _l("Review"), BODY_MAX, BODY_PHONE_BYTES)
