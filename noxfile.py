"""Project tasks. Run them from the locked environment: ``uv run nox`` (see README)."""

import sys

import nox

nox.options.default_venv_backend = "none"  # use the environment `uv sync` built from uv.lock
# `ui` builds the dashboard before `tests`, whose browser tests (tests/e2e) load it.
nox.options.sessions = ["lint", "typecheck", "imports", "ui", "tests"]
nox.options.error_on_missing_interpreters = True


@nox.session(python=False)
def lint(session: nox.Session) -> None:
    """Ruff: style and common bugs."""
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=False)
def typecheck(session: nox.Session) -> None:
    """mypy, strict on the core and the in-memory adapters."""
    session.run("mypy")


@nox.session(python=False)
def imports(session: nox.Session) -> None:
    """import-linter: the core stays pure and dependencies point inward."""
    session.run("lint-imports", "--no-cache")


# Generated from the code and committed, so they must match a fresh build exactly.
UI_OUTPUTS = ("ui/src/api/schema.d.ts", "argus_web/static")


@nox.session(python=False)
def ui(session: nox.Session) -> None:
    """The dashboard: npm ci, API types from the OpenAPI schema, type check, Vitest, build.

    Fails if the committed API types or bundle differ from what this run generated (a
    renamed API field, or UI sources changed without rebuilding): commit the new files.
    """
    session.run(sys.executable, "scripts/openapi_schema.py", "ui/openapi.json")
    with session.chdir("ui"):
        session.run("npm", "ci", "--no-audit", "--no-fund", external=True)
        session.run("npm", "run", "schema", external=True)
        session.run("npm", "run", "typecheck", external=True)
        session.run("npm", "test", external=True)
        session.run("npx", "vite", "build", external=True)
    # `git status` rather than `git diff`: it also reports new (untracked) asset files.
    changed = session.run(
        "git", "status", "--porcelain", "--", *UI_OUTPUTS, external=True, silent=True
    )
    if isinstance(changed, str) and changed.strip():
        session.run("git", "--no-pager", "diff", "--stat", "--", *UI_OUTPUTS, external=True)
        session.error(
            "The committed API types or dashboard bundle are stale:\n"
            f"{changed}Commit what `uv run nox -s ui` generated."
        )


@nox.session(python=False)
def tests(session: nox.Session) -> None:
    """The whole test suite, with the core's line coverage (at least 95 %)."""
    session.run(
        "pytest",
        "--cov",
        "--cov-report=term",
        "--cov-report=xml:coverage.xml",
        *session.posargs,
    )


@nox.session(python=False)
def demo(session: nox.Session) -> None:
    """Run Argus embedded with demo data on http://127.0.0.1:8000 (SQLite, no servers)."""
    session.run("argus", "demo", *session.posargs)
