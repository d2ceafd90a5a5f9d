"""In-memory adapters for every port: for tests and for embedding the core with no servers.

>>> store = InMemoryStore()
>>> uow = InMemoryUnitOfWork(store)
"""

from argus_adapters.memory.dashboard import InMemoryDashboardQueries
from argus_adapters.memory.providers import (
    FakeIdentityProvider,
    InMemoryDeadLetters,
    InMemoryJobQueue,
    ManualClock,
    RecordingChatNotifier,
    StaticCategorizer,
    StaticRcaProvider,
)
from argus_adapters.memory.store import InMemoryStore, InMemoryUnitOfWork

__all__ = [
    "FakeIdentityProvider",
    "InMemoryDashboardQueries",
    "InMemoryDeadLetters",
    "InMemoryJobQueue",
    "InMemoryStore",
    "InMemoryUnitOfWork",
    "ManualClock",
    "RecordingChatNotifier",
    "StaticCategorizer",
    "StaticRcaProvider",
]
