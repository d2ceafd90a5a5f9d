"""Write the app's OpenAPI schema as JSON, without starting a server or opening a database.

The dashboard's typed API client (``ui/src/api/schema.d.ts``) is generated from this file,
so a renamed or dropped field fails the UI's type check: ``uv run nox -s ui``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from argus_adapters.sql.settings import DatabaseSettings
from argus_web.app import create_app
from argus_web.settings import Settings


def openapi_schema() -> dict[str, object]:
    """The schema as the running app serves it at ``/schema/openapi.json``."""
    # The engine is created lazily: this database file is never opened.
    unused = Path(tempfile.gettempdir()) / "argus-openapi-unused.db"
    app = create_app(Settings(database=DatabaseSettings(url=f"sqlite+aiosqlite:///{unused}")))
    return app.openapi_schema.to_schema()


def main(argv: list[str]) -> None:
    target = Path(argv[1]) if len(argv) > 1 else Path("ui/openapi.json")
    # Sorted keys and a final newline: the file only changes when the schema does.
    text = json.dumps(openapi_schema(), indent=2, sort_keys=True) + "\n"
    target.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv)
