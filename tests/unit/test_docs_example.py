"""The embedding example in docs/ runs as documented."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_embedding_example_reports_triages_and_resolves() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "examples" / "embed.py")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.splitlines() == [
        "#1 Refunds fail for merchant 42: high, assigned to Alice",
        "#1 is resolved: Rotated the expired API key",
    ]
