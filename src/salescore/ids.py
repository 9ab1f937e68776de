"""Id factories: random by default, deterministic for tests and simulations.

Ids are plain strings. Every factory satisfies :class:`IdFactory`:
``new(kind)`` returns a fresh id for an object of that kind (``"lead"``,
``"deal"``, …).
"""

from __future__ import annotations

import random
import uuid
from typing import NewType, Protocol, runtime_checkable

from salescore._validation import fail

__all__ = [
    "AccountId",
    "CampaignId",
    "CaseId",
    "ContactId",
    "DeterministicIds",
    "IdFactory",
    "LeadId",
    "OpportunityId",
    "RandomIds",
]

LeadId = NewType("LeadId", str)
ContactId = NewType("ContactId", str)
AccountId = NewType("AccountId", str)
OpportunityId = NewType("OpportunityId", str)
CampaignId = NewType("CampaignId", str)
CaseId = NewType("CaseId", str)


@runtime_checkable
class IdFactory(Protocol):
    """Makes new ids."""

    def new(self, kind: str) -> str:
        """Return a new, never-before-returned id for an object of ``kind``."""
        ...


def _check_kind(kind: str) -> None:
    if not isinstance(kind, str) or not kind or not kind.replace("_", "").isalnum():
        fail("kind", kind, "must be a non-empty word of letters, digits and underscores")


class RandomIds:
    """Random ids: ``"<kind>_<32 hex digits>"`` from UUID4.

    Args:
        rng: Optional seeded :class:`random.Random`; without one the ids come
            from :func:`uuid.uuid4` (the operating system's randomness).
    """

    __slots__ = ("_rng",)

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng

    def new(self, kind: str) -> str:
        """Return a fresh random id for ``kind``."""
        _check_kind(kind)
        if self._rng is None:
            return f"{kind}_{uuid.uuid4().hex}"
        return f"{kind}_{uuid.UUID(int=self._rng.getrandbits(128), version=4).hex}"


class DeterministicIds:
    """Reproducible ids: ``"<kind>-<namespace>-<seed>-<n>"``, counting per kind.

    Two factories with different namespaces (one per simulation shard, say)
    never produce the same id; the same namespace and seed always produce the
    same sequence.

    Args:
        namespace: A short name, letters, digits, ``_`` and ``.`` only.
        seed: Any non-negative integer.

    Raises:
        ValidationError: a bad namespace or seed.

    Example:
        >>> ids = DeterministicIds(namespace="demo", seed=1)
        >>> ids.new("lead"), ids.new("lead"), ids.new("deal")
        ('lead-demo-1-1', 'lead-demo-1-2', 'deal-demo-1-1')
    """

    __slots__ = ("_counters", "_prefixes", "namespace", "seed")

    def __init__(self, namespace: str, seed: int = 0) -> None:
        if (
            not isinstance(namespace, str)
            or not namespace
            or not all(ch.isalnum() or ch in "_." for ch in namespace)
        ):
            fail("namespace", namespace, "must be non-empty: letters, digits, '_' or '.'")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            fail("seed", seed, "must be a non-negative integer")
        self.namespace = namespace
        self.seed = seed
        self._counters: dict[str, int] = {}
        # "<kind>-<namespace>-<seed>-" by kind, for each kind counted already
        self._prefixes: dict[str, str] = {}

    def new(self, kind: str) -> str:
        """Return the next id for ``kind``."""
        counters = self._counters
        prefixes = self._prefixes
        # A kind with a prefix passed the check (an exact str: no subclass's own hash).
        if type(kind) is str and kind in prefixes:
            n = counters[kind] + 1
            counters[kind] = n
            return f"{prefixes[kind]}{n}"
        _check_kind(kind)
        n = counters.get(kind, 0) + 1
        counters[kind] = n
        prefix = f"{kind}-{self.namespace}-{self.seed}-"
        if type(kind) is str:
            prefixes[kind] = prefix
        return f"{prefix}{n}"

    def issued(self) -> dict[str, int]:
        """How many ids of each kind were issued (a copy)."""
        return dict(self._counters)

    def __repr__(self) -> str:
        return f"DeterministicIds(namespace={self.namespace!r}, seed={self.seed})"
