"""Domain operations. Views call these; they flush but never commit (one commit per request)."""


class ServiceError(Exception):
    """A domain rule refused the operation; ``message`` is a translatable, user-facing string."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowedError(ServiceError):
    """The member's role or standing does not allow this: the app answers with the 403 page
    (``views/errors.py``, in the device's tree and the member's language) and nothing is saved.
    """
