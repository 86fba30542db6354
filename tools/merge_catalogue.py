"""A git merge driver for the message catalogues (``translations/**.po`` and ``messages.pot``).

Catalogues are sorted and carry no line numbers, yet two branches that each add strings still
touch neighbouring lines, and git's line merge then reports conflicts that are not real. This
driver merges by message instead: a message added on either side is kept, one removed on one
side (and unchanged on the other) goes, and where both sides changed a translation ours wins
and the driver says so. Run ``flask translate update`` after a merge, as after any change.

Set it up once per clone (``.gitattributes`` names the driver)::

    git config merge.catalogue.name "message catalogue merge"
    git config merge.catalogue.driver ".venv/bin/python tools/merge_catalogue.py %O %A %B %P"
"""

from __future__ import annotations

import sys

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po


def _read(path: str, locale: str | None) -> Catalog:
    with open(path, "rb") as fh:
        return read_po(fh, locale=locale)


def locale_of(name: str) -> str | None:
    """Return the locale of a catalogue's path (``translations/ja/...``); ``None`` for the .pot."""
    parts = name.replace("\\", "/").split("/")
    return parts[-3] if len(parts) >= 3 and parts[-2] == "LC_MESSAGES" else None


def _key(message) -> tuple:
    msgid = message.id if isinstance(message.id, str) else tuple(message.id)
    return (msgid, message.context)


def _entries(catalog: Catalog) -> dict:
    return {_key(m): m for m in catalog if m.id}


def merge(base: Catalog, ours: Catalog, theirs: Catalog) -> tuple[Catalog, list[str]]:
    """Return the merged catalogue (``ours`` changed in place) and the messages both changed."""
    old, mine, other = _entries(base), _entries(ours), _entries(theirs)
    clashes = []
    for key, message in other.items():
        if key not in mine:
            if key not in old:  # added on their side
                ours[message.id] = message
            continue
        kept = mine[key]
        if kept.string == message.string:
            continue
        before = old.get(key)
        if before is not None and before.string == kept.string:
            kept.string = message.string  # only they changed it
            kept.flags = set(message.flags)
        elif before is None or before.string != message.string:
            clashes.append(str(key[0]))
    for key, message in old.items():
        if key in mine and key not in other and mine[key].string == message.string:
            ours.delete(mine[key].id, context=mine[key].context)  # removed on their side
    return ours, clashes


def main(argv: list[str]) -> int:
    """Merge ``argv = [base, ours, theirs, path]`` into ``ours``; exit 0."""
    base_path, ours_path, theirs_path, name = argv
    locale = locale_of(name)
    merged, clashes = merge(*(_read(p, locale) for p in (base_path, ours_path, theirs_path)))
    with open(ours_path, "wb") as fh:
        write_po(fh, merged, omit_header=True, sort_output=True, no_location=True)
    for msgid in clashes:
        print(f"catalogue merge: both sides changed {msgid!r}; kept ours", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
