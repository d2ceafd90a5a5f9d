"""The provider chain: order, timeouts, errors and empty answers fall through."""

import asyncio

import pytest

from argus_core.chain import ProviderChain, Step
from argus_core.domain.errors import NoProviderAnswered


class Provider:
    def __init__(self, name: str, answer: object = None, delay: float = 0, error: bool = False):
        self.name, self.answer, self.delay, self.error = name, answer, delay, error
        self.calls = 0

    async def ask(self) -> object:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.error:
            raise RuntimeError(f"{self.name} broke")
        return self.answer


def chain(*providers: Provider, timeout: float = 0.2) -> ProviderChain[Provider]:
    return ProviderChain([Step(name=p.name, provider=p, timeout=timeout) for p in providers])


async def test_first_answer_wins_and_later_providers_are_not_asked() -> None:
    first, second = Provider("a", "A"), Provider("b", "B")
    outcome = await chain(first, second).run(lambda p: p.ask())
    assert (outcome.provider, outcome.value, outcome.failures) == ("a", "A", ())
    assert second.calls == 0


async def test_error_timeout_and_empty_fall_through_in_order() -> None:
    providers = (
        Provider("broken", error=True),
        Provider("slow", "late", delay=5),
        Provider("empty", None),
        Provider("picky", ""),
        Provider("manual", "steps"),
    )
    outcome = await chain(*providers, timeout=0.05).run(lambda p: p.ask(), accept=bool)
    assert outcome.provider == "manual"
    assert [(f.name, f.kind) for f in outcome.failures] == [
        ("broken", "error"),
        ("slow", "timeout"),
        ("empty", "empty"),
        ("picky", "empty"),
    ]
    assert "broke" in outcome.failures[0].detail


async def test_nobody_answers_raises_with_every_reason() -> None:
    with pytest.raises(NoProviderAnswered, match=r"a: error.*b: empty"):
        await chain(Provider("a", error=True), Provider("b")).run(lambda p: p.ask())


async def test_callers_cancellation_is_not_swallowed() -> None:
    slow = chain(Provider("slow", "x", delay=5), timeout=10)
    task = asyncio.create_task(slow.run(lambda p: p.ask()))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_chain_needs_a_step_and_names_its_order() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ProviderChain([])
    assert chain(Provider("x"), Provider("y")).names == ("x", "y")
