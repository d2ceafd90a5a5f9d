"""What the browser run measured, printed at the end of the session (never asserted:
timings belong to reports, not to pass/fail)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

FIGURES: dict[str, str] = {}


def bundle_sizes(static: Path) -> tuple[int, int]:
    """Raw and gzip-compressed bytes of the JS and CSS that ``index.html`` loads first."""
    index = (static / "index.html").read_text(encoding="utf-8")
    raw = compressed = 0
    for asset in re.findall(r'(?:src|href)="/(assets/[^"]+\.(?:js|css))"', index):
        data = (static / asset).read_bytes()
        raw += len(data)
        compressed += len(gzip.compress(data, compresslevel=9))
    return raw, compressed
