"""Regenerate the shipped gateway range file: ``python tools/carrier_ranges.py [SRC [DEST]]``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.keitai.range_file import build, main  # noqa: E402

__all__ = ["build", "main"]

if __name__ == "__main__":
    sys.exit(main())
