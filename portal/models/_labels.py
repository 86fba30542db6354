"""Enumerations whose members carry their translatable label, for choices stored as text."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class LabelledChoice(StrEnum):
    """A :class:`~enum.StrEnum` (stored and compared as its text) whose members also carry a
    label, translated when shown: ``MUSIC = "music", _l("Music")``. Members keep the order
    they are written in, which is the order a select lists them."""

    label: Any

    def __new__(cls, value: str, label: Any = None) -> LabelledChoice:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """Return the stored texts, in order."""
        return tuple(member.value for member in cls)

    @classmethod
    def labels(cls) -> dict[str, Any]:
        """Return ``{stored text: label}``, in order (a select's choices)."""
        return {member.value: member.label for member in cls}
