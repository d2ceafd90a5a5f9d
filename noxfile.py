"""Project tasks. Run them from the locked environment: ``uv run nox`` (see README)."""

import nox

nox.options.default_venv_backend = "none"  # use the environment `uv sync` built from uv.lock
nox.options.sessions = ["lint", "typecheck", "imports", "tests"]
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
