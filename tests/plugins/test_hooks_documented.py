"""Every hook is documented in docs/plugins.md and has a test; the docs name no other hook."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from argus_plugins import hookspecs

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "plugins.md"
TESTS = ROOT / "tests"
HOOK_HEADING = re.compile(r"^#+ .*`(argus_\w+)`", re.MULTILINE)
"""A heading naming a name of the hook kind (the docs give each hook one: ### `name`)."""
HOOK_DEFINITION = re.compile(r"\bdef (argus_\w+)\s*\(")
"""A hook implemented in one of the docs' examples."""


def hook_names() -> list[str]:
    """The hooks ``hookspecs`` declares (marked with ``@hookspec``)."""
    return sorted(
        name
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("argus_") and hasattr(function, f"{hookspecs.PROJECT}_spec")
    )


HOOKS = hook_names()


def test_the_hooks_are_found() -> None:
    assert len(HOOKS) >= 6
    assert "argus_rca_providers" in HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_docstring(hook: str) -> None:
    assert (getattr(hookspecs, hook).__doc__ or "").strip()


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_one_section_in_the_docs(hook: str) -> None:
    headings = HOOK_HEADING.findall(DOCS.read_text())
    assert headings.count(hook) == 1, f"docs/plugins.md needs one heading ### `{hook}`"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_named_in_a_test(hook: str) -> None:
    named = [
        path.relative_to(ROOT)
        for path in TESTS.rglob("test_*.py")
        if path.resolve() != Path(__file__).resolve() and hook in path.read_text()
    ]
    assert named, f"no test under tests/ names {hook}"


def test_the_docs_describe_only_hooks_that_exist() -> None:
    text = DOCS.read_text()
    described = set(HOOK_HEADING.findall(text)) | set(HOOK_DEFINITION.findall(text))
    assert described, "docs/plugins.md shows no hook at all"
    assert described <= set(HOOKS), f"not hooks: {sorted(described - set(HOOKS))}"
