"""The deployment files agree with the settings: every variable the Kubernetes manifests
set is one Argus reads, every setting is set by the manifests or documented for
operators, the probes and commands are the right ones, and the Dockerfile has the
shape docs/deploy.md describes. (No Docker engine here: its structure is read.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from argus_web.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCS = ROOT / "docs"
DESIGN_SETTINGS = (  # DESIGN.md §6, the original names kept
    "ARGUS_ENV",
    "ARGUS_DATABASE_URL",
    "DATABASE_URL",
    "DB_SCHEMA",
    "ARGUS_QUEUE_URL",
    "ARGUS_PUBLIC_URL",
    "JWT_SECRET",
    "ARGUS_TOKEN_TTL_MINUTES",
    "GOOGLE_CLIENT_ID",
    "GOOGLE_CLIENT_SECRET",
    "GOOGLE_REDIRECT_URI",
    "ALLOWED_EMAIL_DOMAIN",
    "ADMIN_EMAILS",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
    "ARGUS_SLACK_POSTS_PER_SECOND",
    "VISHWAKARMA_URL",
    "VISHWAKARMA_TIMEOUT",
    "HOLMESGPT_URL",
    "AI_API_KEY",
    "AI_API_BASE",
    "AI_MODEL",
    "AI_FAST_MODEL",
    "AI_MAX_TOKENS",
    "ARGUS_RCA_CHAIN",
    "ARGUS_CATEGORIZERS",
    "ARGUS_AUTO_RESOLVE_THRESHOLD",
    "ARGUS_PLUGINS",
    "ARGUS_DISABLE_PLUGINS",
)


class Recording(dict[str, str]):
    """An environment that notes every variable asked for by name."""

    def __init__(self, present: dict[str, str]) -> None:
        super().__init__(present)
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return super().__contains__(key)


def settings_read() -> set[str]:
    """The variables the settings object reads (Slack's and Google's included: they are
    read only when their tokens are present, so these are)."""
    env = Recording(
        {"SLACK_BOT_TOKEN": "xoxb-1", "GOOGLE_CLIENT_ID": "id", "GOOGLE_CLIENT_SECRET": "s"}
    )
    Settings.from_env(env)
    return env.asked


def plugin_settings() -> set[str]:
    """The built-in plugins' variables, from the tables of docs/plugins.md."""
    names: set[str] = set()
    for line in (DOCS / "plugins.md").read_text().splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell))
    return names


def documents() -> Iterator[dict[str, Any]]:
    for path in sorted(DEPLOY.glob("*.yaml")):
        yield from (doc for doc in yaml.safe_load_all(path.read_text()) if doc)


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for doc in documents() if doc["kind"] == kind]


def by_name(kind: str, name: str) -> dict[str, Any]:
    (doc,) = [d for d in of_kind(kind) if d["metadata"]["name"] == name]
    return doc


def pod_specs() -> Iterator[tuple[str, dict[str, Any]]]:
    for doc in of_kind("Deployment") + of_kind("Job"):
        yield doc["metadata"]["name"], doc["spec"]["template"]["spec"]


def manifest_variables() -> dict[str, str]:
    """Every variable the manifests give a process, with where it comes from."""
    found: dict[str, str] = {}
    for doc in of_kind("ConfigMap"):
        found |= dict.fromkeys(doc["data"], f"ConfigMap {doc['metadata']['name']}")
    for doc in of_kind("Secret"):
        found |= dict.fromkeys(doc["stringData"], f"Secret {doc['metadata']['name']}")
    for name, spec in pod_specs():
        for container in spec["containers"]:
            for variable in container.get("env", []):
                found[variable["name"]] = f"{name}/{container['name']}"
    return found


def test_the_manifests_set_only_variables_argus_reads() -> None:
    known = settings_read() | plugin_settings()
    unknown = {name: where for name, where in manifest_variables().items() if name not in known}
    assert not unknown, f"set by the manifests but read by nothing: {unknown}"


def test_every_setting_is_in_the_manifests_or_the_operator_docs() -> None:
    deploy_docs = (DOCS / "deploy.md").read_text()
    plugin_docs = (DOCS / "plugins.md").read_text()
    set_here = set(manifest_variables())
    wanted = settings_read() | set(DESIGN_SETTINGS) | plugin_settings()
    missing = sorted(
        name
        for name in wanted
        if name not in set_here and f"`{name}`" not in deploy_docs + plugin_docs
    )
    assert not missing, f"settings neither set in deploy/ nor documented: {missing}"
    undocumented = sorted(n for n in settings_read() if f"`{n}`" not in deploy_docs)
    assert not undocumented, f"missing from docs/deploy.md's table: {undocumented}"


def test_the_settings_read_are_the_ones_expected() -> None:
    """Guards the recording itself: it must see what the settings read."""
    read = settings_read()
    for name in ("ARGUS_DATABASE_URL", "DB_SCHEMA", "SLACK_SIGNING_SECRET", "GOOGLE_REDIRECT_URI"):
        assert name in read
    assert {"VISHWAKARMA_URL", "AI_MODEL", "HOLMESGPT_TIMEOUT"} <= plugin_settings()


def test_the_manifests_settings_load() -> None:
    """The ConfigMap and the Secret template together are valid settings."""
    env = {}
    for doc in of_kind("ConfigMap"):
        env |= doc["data"]
    for doc in of_kind("Secret"):
        env |= doc["stringData"]
    settings = Settings.from_env(env)
    assert settings.is_production
    assert settings.queue_url is not None  # the workers, not the web pods, run the jobs
    assert settings.database.is_postgres
    assert settings.log_format == "json"


def test_every_reference_names_a_key_that_exists() -> None:
    keys = {
        ("configMapKeyRef", d["metadata"]["name"]): set(d["data"]) for d in of_kind("ConfigMap")
    }
    keys |= {
        ("secretKeyRef", d["metadata"]["name"]): set(d["stringData"]) for d in of_kind("Secret")
    }
    sources = {("configMapRef", d["metadata"]["name"]) for d in of_kind("ConfigMap")}
    sources |= {("secretRef", d["metadata"]["name"]) for d in of_kind("Secret")}
    for name, spec in pod_specs():
        for container in spec["containers"]:
            for source in container.get("envFrom", []):
                ((kind, ref),) = source.items()
                assert (kind, ref["name"]) in sources, name
            for variable in container.get("env", []):
                for kind, ref in variable.get("valueFrom", {}).items():
                    assert ref["key"] in keys[kind, ref["name"]], (name, variable["name"])


def test_processes_probes_and_users() -> None:
    web = by_name("Deployment", "argus-web")["spec"]["template"]["spec"]["containers"][0]
    assert web["args"][:2] == ["argus", "serve"]
    assert "0.0.0.0" in web["args"]
    assert web["readinessProbe"]["httpGet"]["path"] == "/api/ready"
    assert web["livenessProbe"]["httpGet"]["path"] == "/api/live"
    worker = by_name("Deployment", "argus-worker")["spec"]["template"]["spec"]["containers"][0]
    assert worker["args"][:2] == ["argus", "worker"]
    migrate = by_name("Job", "argus-migrate")["spec"]["template"]["spec"]["containers"][0]
    assert migrate["args"] == ["argus", "db", "upgrade"]
    images = {c["image"] for _, spec in pod_specs() for c in spec["containers"]}
    assert len(images) == 1  # one image, one release
    for name, spec in pod_specs():
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        for container in spec["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
    service = by_name("Service", "argus-web")
    assert (
        service["spec"]["selector"]
        == by_name("Deployment", "argus-web")["spec"]["selector"]["matchLabels"]
    )
    hpa = by_name("HorizontalPodAutoscaler", "argus-web")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "argus-web"


@pytest.fixture
def stages() -> list[list[str]]:
    """The Dockerfile's instructions, one list per stage (continuation lines joined)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            found.append([])
        found[-1].append(line)
    return found


def test_the_dockerfile_builds_the_ui_then_a_slim_non_root_runtime(
    stages: list[list[str]],
) -> None:
    ui, build, runtime = stages
    assert ui[0].startswith("FROM node:")
    assert any("npm ci" in line for line in ui)
    assert any("npm run build" in line for line in ui)
    assert build[0].startswith("FROM python:3.11-slim")
    assert any("uv sync --locked --no-dev" in line for line in build)
    assert any("--from=ui" in line and "argus_web/static" in line for line in build)
    assert runtime[0].startswith("FROM python:3.11-slim")
    assert not any("--from=ui" in line or "npm" in line for line in runtime)  # no Node
    user = [line for line in runtime if line.startswith("USER ")]
    assert user
    assert user[-1].split()[1].split(":")[0] not in ("root", "0")
    assert runtime[-1] == 'CMD ["argus", "serve", "--host", "0.0.0.0", "--port", "8000"]'
    copied = " ".join(line for line in build if line.startswith("COPY"))
    for needed in ("pyproject.toml", "uv.lock", "migrations", "argus_web", "argus_core"):
        assert needed in copied
