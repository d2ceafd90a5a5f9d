"""The keyword categorizer: Argus's triage without an LLM (the embedded default).

Priority from alarm words, category from words that name it, team from the words its
name and description share with the report (plus any extra words configured for it, and
one more when the team is named or described by the report's category: a "Frontend" team
owns frontend reports). It always answers; the chain puts it last.

Rules are words or short phrases, matched whole after the same normalisation the report
gets (lower case, punctuation splits words, plural ``s`` folded): ``"load balancer"``
matches "Load-Balancers", ``"down"`` never matches "downtime". A phrase that contains a
shorter match wins over it, so ``"not urgent"`` (low) hides ``"urgent"`` (high).
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import accumulate
from pathlib import Path
from typing import Generic, TypeVar

import msgspec

from argus_core.domain.values import Priority
from argus_core.ports import Categorizer, Triage, TriageRequest
from argus_core.queries import search_terms
from argus_plugins.hookspecs import PluginContext, hookimpl

RULES_SETTING = "ARGUS_KEYWORD_RULES"
"""Setting naming a JSON file of keyword rules that override the defaults."""


class KeywordRules(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Word lists of the keyword categorizer.

    ``priority_words``: alarm words per priority; the most urgent priority with a match
    wins, MEDIUM when none matches. ``category_words``: words naming each category; the
    category with most matches wins (ties: the first listed), categories the request does
    not offer are skipped. ``team_words``: extra words per team name (any case), counted
    with the words of the team's name and description.
    """

    priority_words: Mapping[Priority, tuple[str, ...]]
    category_words: Mapping[str, tuple[str, ...]]
    team_words: Mapping[str, tuple[str, ...]] = msgspec.field(default_factory=dict)


DEFAULT_RULES = KeywordRules(
    priority_words={
        Priority.CRITICAL: (
            "down", "outage", "total outage", "breach", "leak", "leaking", "dataloss",
            "data loss", "data is gone", "sev1", "sev 1", "sev0", "p0", "security",
            "vulnerability", "exposed", "compromised", "everyone", "all users",
            "all customers", "nobody can", "no one can", "completely", "charged twice",
            "double charged",
        ),
        Priority.HIGH: (
            "error", "failing", "failed", "fails", "failure", "broken", "500", "502",
            "503", "504", "timeout", "timing out", "times out", "urgent", "asap", "crash",
            "crashed", "crashing", "sev2", "sev 2", "p1", "exception", "not working",
            "does not work", "doesn't work", "can't", "cannot", "unable", "locked out",
            "stuck", "blank screen", "oomkilled", "degraded", "spike", "memory leak", "flapping",
            "cant", "can not", "not loading", "won't load", "not arriving", "isn't working",
        ),
        Priority.MEDIUM: (
            "slow", "intermittent", "intermittently", "sometimes", "some users",
            "workaround", "delayed", "flaky",
        ),
        Priority.LOW: (
            "typo", "cosmetic", "minor", "wording", "someday", "misaligned", "alignment",
            "tiny", "nit", "nitpick", "spelling", "misspelled", "feature request",
            "nice to have", "not urgent", "no rush", "low priority", "when you get a chance",
            "blurry", "pixelated", "looks off",
        ),
    },
    category_words={
        "database": (
            "database", "db", "postgres", "postgresql", "mysql", "mariadb", "mongodb",
            "sql", "query", "deadlock", "replica", "replication", "migration", "schema",
            "table", "column", "index", "connection pool", "too many clients", "warehouse",
            "bigquery", "snowflake", "redshift", "etl", "airflow", "dag", "dbt", "backup",
            "restore",
        ),
        "payments": (
            "payment", "pay", "paid", "unpaid", "checkout", "invoice", "refund", "card",
            "charge", "charged", "chargeback", "billing", "billed", "subscription",
            "renewal", "stripe", "adyen", "paypal", "braintree", "apple pay", "google pay",
            "decline", "declined", "vat", "receipt", "payout", "amex", "visa", "mastercard",
        ),
        "frontend": (
            "ui", "ux", "page", "button", "css", "html", "javascript", "js", "browser",
            "frontend", "front end", "layout", "safari", "chrome", "firefox", "react",
            "font", "modal", "dropdown", "tooltip", "form", "render", "rendering",
            "dark mode", "image", "icon", "logo", "footer", "header", "menu", "responsive",
            "mobile web", "spinner", "date picker", "screen", "link", "ios", "android", "iphone",
            "ipad",
        ),
        "infrastructure": (
            "infrastructure", "infra", "kubernetes", "k8s", "pod", "node", "dns", "disk",
            "network", "networking", "deploy", "deployment", "rollout", "cluster", "cpu",
            "memory", "load balancer", "ssl", "tls", "certificate", "cert", "aws", "gcp",
            "azure", "s3", "ec2", "vpn", "ci", "terraform", "helm", "argo", "autoscaler",
            "ingress", "cdn", "prometheus", "grafana", "oomkilled", "kafka", "redis",
            "server", "host", "health check", "docker", "container", "nginx", "gateway", "502",
            "503", "504", "staging", "monitoring", "alert", "alerting", "pagerduty", "on call",
        ),
        "backend": (
            "api", "endpoint", "service", "microservice", "backend", "back end", "500",
            "exception", "stack trace", "traceback", "worker", "webhook", "cron", "job",
            "queue", "login", "log in", "sign in", "sso", "saml", "oauth", "auth",
            "authentication", "token", "session", "password", "2fa", "mfa", "otp",
            "permission", "access denied", "401", "403", "email", "notification",
        ),
    },
)  # fmt: skip
"""The built-in rules: words seen in real production reports, not tuned to any one team."""

IGNORED = frozenset({"the", "and", "for", "with", "team", "owns", "from", "that", "this"})
"""Filler words of team descriptions that never pick a team."""


# --------------------------------------------------------------------------- loading


class _RulesFile(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A rules file: every part optional, each entry replacing the default's entry."""

    priority_words: dict[Priority, tuple[str, ...]] = msgspec.field(default_factory=dict)
    category_words: dict[str, tuple[str, ...]] = msgspec.field(default_factory=dict)
    team_words: dict[str, tuple[str, ...]] = msgspec.field(default_factory=dict)


def load_rules(path: str | os.PathLike[str], base: KeywordRules = DEFAULT_RULES) -> KeywordRules:
    """Rules from a JSON file, over ``base`` (the defaults).

    The file is an object with any of ``priority_words`` (keys ``critical``, ``high``,
    ``medium``, ``low``), ``category_words`` and ``team_words``, each mapping a name to a
    list of words or phrases. A listed entry replaces that entry of ``base`` (an empty list
    switches it off); entries not listed keep their words. Team names match in any case.

    Raises ValueError naming the file and the fault when it cannot be read, is not valid
    JSON, has unknown keys or priorities, or lists a word with no letters or digits.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read keyword rules {os.fspath(path)!r}: {error}") from error
    try:
        override = msgspec.json.decode(raw, type=_RulesFile, strict=True)
    except msgspec.ValidationError as error:
        raise ValueError(
            f"invalid keyword rules in {os.fspath(path)!r}: {error} (priorities are "
            f"{', '.join(p.value for p in Priority)}; top-level keys are "
            f"{', '.join(_RulesFile.__struct_fields__)})"
        ) from error
    except msgspec.DecodeError as error:
        raise ValueError(f"keyword rules {os.fspath(path)!r} are not JSON: {error}") from error
    for part in (override.priority_words, override.category_words, override.team_words):
        for key, words in part.items():
            blank = [w for w in words if not search_terms(w)]
            if blank:
                raise ValueError(
                    f"invalid keyword rules in {os.fspath(path)!r}: {key!r} lists {blank[0]!r},"
                    " which has no letters or digits"
                )
    teams = {**_by_team(base.team_words), **_by_team(override.team_words)}
    return KeywordRules(
        priority_words={**base.priority_words, **override.priority_words},
        category_words={**base.category_words, **override.category_words},
        team_words=dict(teams.values()),
    )


def _by_team(words: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Team words keyed by the team's name in lower case (names differing only in case
    share their words), each with the name as first written."""
    merged: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name, entries in words.items():
        first, earlier = merged.get(name.casefold(), (name, ()))
        merged[name.casefold()] = (first, (*earlier, *entries))
    return merged


# --------------------------------------------------------------------------- matching

Phrase = tuple[str, ...]
L = TypeVar("L", bound=Hashable)


def _fold(word: str) -> str:
    """A word without its plural ending, so "refunds" finds "refund" and back."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> Phrase:
    """The words of ``text`` as rules match them: lower case, plurals folded."""
    return tuple(_fold(w) for w in search_terms(text))


class Vocabulary(Generic[L]):
    """Phrases grouped under labels (priorities, categories, teams), matched in a text."""

    def __init__(self, words: Mapping[L, Iterable[str]]) -> None:
        self.labels: tuple[L, ...] = tuple(words)
        # Phrases by their first word, so a long report is read once.
        self._starting: dict[str, list[tuple[L, Phrase]]] = {}
        for label, entries in words.items():
            for phrase in {p for w in entries if (p := terms(w))}:
                self._starting.setdefault(phrase[0], []).append((label, phrase))

    def hits(self, text: Sequence[str]) -> dict[L, int]:
        """How many distinct phrases of each label occur in ``text`` (folded words),
        leaving out a match that lies inside a longer one."""
        spans = [
            (start, start + len(phrase), label, phrase)
            for start, word in enumerate(text)
            for label, phrase in self._starting.get(word, ())
            if tuple(text[start : start + len(phrase)]) == phrase
        ]
        # A match is inside a longer one when a match starting at the same word ends later,
        # or one starting earlier ends no sooner.
        reach = [0] * (len(text) + 1)
        for start, end, _, _ in spans:
            reach[start] = max(reach[start], end)
        reach_before = list(accumulate(reach, max, initial=0))
        found: dict[L, set[Phrase]] = {}
        for start, end, label, phrase in spans:
            if reach[start] <= end and reach_before[start] < end:
                found.setdefault(label, set()).add(phrase)
        return {label: len(phrases) for label, phrases in found.items()}


# --------------------------------------------------------------------------- categorizer


class KeywordCategorizer:
    """Triage by word lists: predictable, free, and always an answer."""

    name = "keywords"

    def __init__(self, rules: KeywordRules = DEFAULT_RULES) -> None:
        self.rules = rules
        self._priorities = Vocabulary(rules.priority_words)
        self._categories = Vocabulary(rules.category_words)
        merged: dict[str, list[str]] = {}
        for team, words in rules.team_words.items():
            merged.setdefault(team.casefold(), []).extend(words)
        self._team_words = Vocabulary(merged)
        self._ignored = frozenset(_fold(w) for w in IGNORED)

    async def categorize(self, request: TriageRequest) -> Triage | None:
        """Priority, category and team of the report; never None."""
        text = terms(f"{request.title}\n{request.description}")
        alarms = self._priorities.hits(text)
        # Priority lists its members most urgent first.
        priority = next((p for p in Priority if alarms.get(p)), Priority.MEDIUM)
        named = self._categories.hits(text)
        offered = [c for c in self._categories.labels if c in request.categories and named.get(c)]
        category = max(offered, key=lambda c: named[c], default=request.categories.fallback)
        owner = () if category == request.categories.fallback else terms(category)
        team, words, owns = self._team(request, text, owner)
        reasoning = "no team words"
        if team:
            reasoning = f"keyword match ({words} team words{', owns the category' if owns else ''})"
        return Triage(priority=priority, category=category, team_name=team, reasoning=reasoning)

    def _team(
        self, request: TriageRequest, text: Phrase, category: Phrase
    ) -> tuple[str | None, int, bool]:
        """The team with the best score (ties: the first), its shared words and whether it
        owns the category.

        A team scores one per word of the report found in its name, description or extra
        words, and one more when its name or description names the report's ``category``
        (a "Frontend" team owns frontend reports without sharing a word).
        """
        words = set(text)
        extra = self._team_words.hits(text)
        best: tuple[str | None, int, bool] = (None, 0, False)
        best_score = 0
        for team in request.teams:
            # Every word of the name counts ("QA", "UI"); the description's short words do not.
            described = {w for w in terms(team.description) if len(w) > 2}
            vocabulary = (set(terms(team.name)) | described) - self._ignored
            shared = len(words & vocabulary) + extra.get(team.name.casefold(), 0)
            owns = bool(category) and set(category) <= vocabulary
            if shared + owns > best_score:
                best, best_score = (team.name, shared, owns), shared + owns
        return best


# --------------------------------------------------------------------------- plugin


def rules_from_config(config: Mapping[str, str]) -> KeywordRules:
    """The rules ``ARGUS_KEYWORD_RULES`` names, else the defaults."""
    path = config.get(RULES_SETTING, "").strip()
    return load_rules(path) if path else DEFAULT_RULES


@hookimpl
def argus_categorizers(context: PluginContext) -> Sequence[Categorizer]:
    """The keyword categorizer, with the rules of ``ARGUS_KEYWORD_RULES`` if set."""
    return [KeywordCategorizer(rules_from_config(context.config))]
