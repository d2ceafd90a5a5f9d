"""The import contracts keep the core pure, and they really bite."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("argus_core", "argus_adapters", "argus_plugins", "argus_web")
# The libraries the foundation issue names; the core may import none of them.
MUST_FORBID = {
    "litestar",
    "sqlalchemy",
    "advanced_alchemy",
    "asyncpg",
    "aiosqlite",
    "slack_sdk",
    "saq",
    "litellm",
    "dishka",
    "pluggy",
    "httpx",
}


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    assert config["include_external_packages"] is True
    return list(config["contracts"])


def test_core_contract_forbids_every_named_library() -> None:
    core = next(c for c in contracts() if c["source_modules"] == ["argus_core"])
    assert core["source_modules"] == ["argus_core"]
    assert set(core["forbidden_modules"]) >= MUST_FORBID | {"argus_web", "argus_adapters"}  # type: ignore[arg-type]


def test_layers_point_inward() -> None:
    layers = next(c for c in contracts() if c["type"] == "layers")
    assert layers["layers"][0] == "argus_web"  # type: ignore[index]
    assert layers["layers"][-1] == "argus_core"  # type: ignore[index]


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_contracts_pass_on_the_real_tree(tree: Path) -> None:
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_core_importing_a_forbidden_library_breaks_the_build(tree: Path) -> None:
    imports = "\n".join(f"import {name}  # noqa" for name in sorted(MUST_FORBID))
    (tree / "argus_core" / "sneaky.py").write_text(imports + "\n")
    (tree / "argus_core" / "lazy.py").write_text("def f():\n    from argus_web import x\n")
    (tree / "argus_web" / "leak.py").write_text("from argus_adapters.sql.models import IssueRow\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    for name in MUST_FORBID:
        assert f"argus_core.sneaky -> {name}" in result.stdout, name
    assert "argus_core.lazy -> argus_web" in result.stdout
    assert "argus_web.leak -> argus_adapters.sql.models" in result.stdout
