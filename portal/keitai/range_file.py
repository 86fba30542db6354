"""Build the gateway range file (``portal/keitai/data/carrier_ip_ranges.json``) from source data.

The shared file (``../shared/data/carrier_ip_ranges.json``) keeps every source separately, with
its provenance. The portal only needs, per carrier, the union of the gateway networks that
deliver keitai *browser* traffic, so this script:

* takes each source's ``carriers.<carrier>.cidrs`` for docomo, au, softbank and willcom
  (EMOBILE is not a portal carrier and is dropped);
* from NTT docomo's own page takes only ``imode_browser_web`` (``iappli_http`` is documented as
  the same ranges): the full-browser range carries no i-mode ID and the mail ranges are SMTP
  relays, so neither may vouch for an ``X-DCMGUID`` header;
* normalises each CIDR, drops exact duplicates and networks already inside a wider one of the
  same carrier, and sorts them numerically;
* refuses data in which one network belongs to two carriers, because a gateway address must
  name exactly one carrier.

Run ``python tools/carrier_ranges.py [SRC [DEST]]`` from the repository root to regenerate the
shipped file, or ``flask carrier-ranges update SRC`` to give a running site newer ranges (written
to the instance folder, which takes precedence over the shipped file).
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SRC = ROOT.parent / "shared" / "data" / "carrier_ip_ranges.json"
DEFAULT_DEST = ROOT / "portal" / "keitai" / "data" / "carrier_ip_ranges.json"

#: The carriers the portal knows, in output order.
CARRIERS = ("docomo", "au", "softbank", "willcom")

#: Per-source keys, besides ``cidrs``, that list browser gateway ranges.
BROWSER_RANGE_KEYS = ("cidrs", "imode_browser_web")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def build(src_path: str | Path, *, today: datetime.date | None = None) -> dict[str, Any]:
    """Build the portal's gateway range document from the shared source file.

    :param src_path: path of the shared ``carrier_ip_ranges.json``.
    :param today: the generation date to record; defaults to today.
    :return: ``{"generated_from", "date", "sources", "carriers": {carrier: [cidr, ...]}}``.
    :raise ValueError: if a CIDR is malformed or a network is claimed by two carriers.
    """
    src_path = Path(src_path)
    data = json.loads(src_path.read_text(encoding="utf-8"))
    sources = data["sources"]
    carriers = {carrier: _union(_source_cidrs(sources, carrier)) for carrier in CARRIERS}
    _check_disjoint(carriers)
    return {
        "generated_from": _display_path(src_path),
        "date": (today or datetime.date.today()).isoformat(),
        "sources": [source["name"] for source in sources if _contributes(source)],
        "carriers": {carrier: [str(net) for net in nets] for carrier, nets in carriers.items()},
    }


def main(argv: list[str] | None = None) -> int:
    """Write the generated document; arguments are ``[SRC [DEST]]``.

    :return: the process exit status.
    """
    args = sys.argv[1:] if argv is None else argv
    src = Path(args[0]) if args else DEFAULT_SRC
    dest = Path(args[1]) if len(args) > 1 else DEFAULT_DEST
    print(write(build(src), dest))  # noqa: T201 (a command-line tool)
    return 0


def write(document: dict[str, Any], dest: Path) -> str:
    """Write a range document to ``dest``; return a one-line summary."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    counts = ", ".join(f"{c} {len(n)}" for c, n in document["carriers"].items())
    return f"wrote {dest} ({counts})"


def _source_cidrs(sources: Iterable[dict[str, Any]], carrier: str) -> Iterator[str]:
    for source in sources:
        entry = source.get("carriers", {}).get(carrier, {})
        for key in BROWSER_RANGE_KEYS:
            value = entry.get(key)
            if isinstance(value, list):
                yield from value


def _contributes(source: dict[str, Any]) -> bool:
    """Return whether a source lists any CIDR for one of our carriers."""
    return any(next(_source_cidrs([source], carrier), None) for carrier in CARRIERS)


def _union(cidrs: Iterable[str]) -> list[Network]:
    """Return the distinct networks, without those inside another, in address order."""
    networks = sorted(
        {ipaddress.ip_network(cidr.strip()) for cidr in cidrs},
        key=lambda net: (net.version, net.network_address, net.prefixlen),
    )
    kept: list[Network] = []
    for net in networks:
        if not any(net.version == wide.version and net.subnet_of(wide) for wide in kept):  # type: ignore[arg-type]
            kept.append(net)
    return kept


def _check_disjoint(carriers: dict[str, list[Network]]) -> None:
    seen: list[tuple[Network, str]] = []
    for carrier, networks in carriers.items():
        for net in networks:
            for other, owner in seen:
                if owner != carrier and net.version == other.version and net.overlaps(other):
                    raise ValueError(f"{net} ({carrier}) overlaps {other} ({owner})")
            seen.append((net, carrier))


def _display_path(path: Path) -> str:
    try:
        return str(Path("..") / path.resolve().relative_to(ROOT.parent))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
