"""A workspace without handlers moves its position past the log as a delivery would."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.clock import ManualClock
from salescore.domain.interactions import Interaction
from salescore.domain.service import CaseMerged
from salescore.ids import DeterministicIds
from salescore.storage import InMemoryStore
from salescore.storage.protocols import EventRecord
from salescore.workspace import Workspace

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)

# ("capture", _): a lead captured through one workspace (a commit with events and a
# publish); ("interaction", _): a commit without events; ("publish", i): workspace i
# publishes; ("rewind", n): both are set back to position n.
steps = st.lists(
    st.tuples(st.sampled_from(("capture", "interaction", "publish", "rewind")), st.integers(0, 12)),
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 6), steps)
def test_publish_without_handlers_equals_a_delivery_to_none(
    start: int, actions: list[tuple[str, int]]
) -> None:
    store = InMemoryStore()
    clock = ManualClock(AT)
    ids = DeterministicIds(namespace="t", seed=1)
    fast = Workspace(store, clock=clock, ids=ids, position=start)
    delivered: list[EventRecord] = []
    general = Workspace(store, clock=clock, ids=ids, position=start)
    general.subscribe(delivered.append, CaseMerged)  # never committed: the loop runs
    n = 0
    for action, arg in actions:
        if action == "capture":
            n += 1
            (fast if arg % 2 else general).capture_lead(actor="web", email=f"p{n}@x.example")
        elif action == "interaction":
            n += 1
            with store.unit_of_work() as uow:
                uow.interactions.append(
                    Interaction.touch(
                        id=f"t{n}", at=AT, actor="x", channel="chat", direction="inbound"
                    )
                )
        elif action == "rewind":
            fast.position = general.position = arg
        else:
            assert fast.publish() == general.publish() == ()
            assert fast.position == general.position
    assert fast.publish() == general.publish() == ()
    assert fast.position == general.position
    assert delivered == []
    assert fast.failures == general.failures == []
