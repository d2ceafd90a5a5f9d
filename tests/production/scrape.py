"""Reading ``/metrics`` the way Prometheus does, and comparing two scrapes."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    """Every sample of a scrape by (name, labels); every family must be Argus's."""
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        assert family.name.startswith("argus_"), family.name
        for sample in family.samples:
            samples[sample.name, frozenset(sample.labels.items())] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample ``name`` with exactly ``labels`` (0 when absent, as for a counter
    that has not moved yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    """How much the sample went up between two scrapes."""
    return value(after, name, **labels) - value(before, name, **labels)
