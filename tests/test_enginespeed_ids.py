"""DeterministicIds.new skips the check of a kind it has counted already: same ids, same errors."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.ids import DeterministicIds, _check_kind


class Word(str):
    """A str subclass (its own type: never taken for a counted kind)."""

    __slots__ = ()


def general_new(ids: DeterministicIds, kind: Any) -> str:
    """The id every call checks its kind for (the general path)."""
    _check_kind(kind)
    n = ids._counters.get(kind, 0) + 1
    ids._counters[kind] = n
    return f"{kind}-{ids.namespace}-{ids.seed}-{n}"


def outcome(make: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "made", make(*args)
    except Exception as exc:
        return "raised", (type(exc), str(exc))


kinds = st.one_of(
    st.sampled_from(("lead", "call", "email", "a_b", "", "bad kind", "x-y", None, 3, ["lead"])),
    st.builds(Word, st.sampled_from(("lead", "call", "bad kind"))),
    st.text(max_size=4),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(kinds, max_size=30))
def test_new_equals_the_general_path(sequence: list[Any]) -> None:
    fast = DeterministicIds(namespace="sim", seed=3)
    general = DeterministicIds(namespace="sim", seed=3)
    for kind in sequence:
        got = outcome(fast.new, kind)
        want = outcome(general_new, general, kind)
        assert got == want
        if got[0] == "made":
            assert type(got[1]) is str
    assert fast.issued() == general.issued()
