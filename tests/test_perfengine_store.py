"""The in-memory store keeps what open snapshots need, and no older version otherwise.

A commit made while no other unit of work is open keeps no older version of
what it replaces; these tests check, against a plain model of snapshots,
that every unit still reads exactly the state as of its start, whatever the
interleaving of units, and that the log reads back as committed.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from salescore.domain.leads import Lead
from salescore.errors import ConcurrencyError, NotFound, ValidationError
from salescore.storage import InMemoryStore
from salescore.storage.protocols import EventRecord

AT = datetime(2026, 1, 5, 9, tzinfo=UTC)
KEYS = ("a", "b")

# (action, unit, key): open a unit, or read a key in an open unit, write it (add, or a
# move of the lead's status), commit the unit or roll it back; the unit is picked
# among the open ones by its number (modulo how many are open; one is opened if none).
actions = st.lists(
    st.tuples(
        st.sampled_from(("open", "read", "write", "commit", "rollback")),
        st.integers(0, 3),
        st.sampled_from(KEYS),
    ),
    max_size=40,
)


def _version_of(unit: Any, key: str) -> int | None:
    try:
        return int(unit.leads.get(key).version)
    except NotFound:
        return None


@settings(max_examples=300, deadline=None)
@given(actions)
@example(
    [
        ("write", 0, "a"),
        ("commit", 0, "a"),
        ("open", 0, "a"),
        ("open", 0, "a"),
        ("write", 1, "a"),
        ("commit", 1, "a"),
        ("read", 0, "a"),
    ]
)
def test_every_unit_reads_its_snapshot_whatever_the_interleaving(
    steps: list[tuple[str, int, str]],
) -> None:
    store = InMemoryStore()
    committed: list[dict[str, int]] = [{}]  # the versions after each commit
    units: list[tuple[Any, int, dict[str, int]]] = []  # unit, snapshot, its own writes
    at = AT
    for action, pick, key in steps:
        at += timedelta(minutes=1)
        if action == "open" or not units:
            units.append((store.unit_of_work(), len(committed) - 1, {}))
            if action == "open":
                continue
        slot = pick % len(units)
        unit, snapshot, own = units[slot]
        if action == "read":
            expected = own.get(key, committed[snapshot].get(key))
            assert _version_of(unit, key) == expected
        elif action == "write":
            version = _version_of(unit, key)
            if version is None:
                unit.leads.add(Lead.new(id=key, at=at, actor="t", company=key))
                own[key] = 3
            else:
                lead = unit.leads.get(key)
                target = "working" if lead.status != "working" else "nurturing"
                unit.leads.save(lead.move_to(target, at=at, actor="t"))
                own[key] = version + 1
        elif action == "commit":
            del units[slot]
            stale = any(
                committed[-1].get(k) != committed[snapshot].get(k)
                or (committed[snapshot].get(k) is None and k in committed[-1])
                for k in own
            )
            try:
                unit.commit()
            except Exception:
                assert stale
            else:
                assert not stale or not own
                if own:
                    committed.append({**committed[-1], **own})
        else:
            del units[slot]
            unit.rollback()
    for unit, snapshot, own in units:
        for key in KEYS:
            assert _version_of(unit, key) == own.get(key, committed[snapshot].get(key))
        unit.rollback()
    with store.unit_of_work() as uow:
        for key in KEYS:
            assert _version_of(uow, key) == committed[-1].get(key)
    records = list(store.events_since(0))
    assert [r.position for r in records] == list(range(1, len(records) + 1))
    assert all(type(r) is EventRecord for r in records)
    assert len(records) == sum(committed[-1].values())
    assert list(store.events_since(2, limit=3)) == records[2:5]


def test_a_commit_returns_the_records_the_log_reads_back() -> None:
    store = InMemoryStore()
    with store.unit_of_work() as uow:
        uow.leads.add(Lead.new(id="x", at=AT, actor="t", company="X"))
    first = uow.committed
    assert [r.position for r in first] == [1, 2, 3]
    assert tuple(store.events_since(0)) == first
    assert store.last_position() == 3


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6), st.lists(st.sampled_from(("a", "b", "c")), max_size=5))
def test_records_made_by_c_code_are_the_named_tuples_made_the_usual_way(
    first: int, subjects: list[str]
) -> None:
    from salescore.storage.memory import _record

    events = [Lead.new(id=s, at=AT, actor="t", email=f"{s}@x.example").history[0] for s in subjects]
    made = tuple(map(_record, enumerate(events, first + 1)))
    usual = tuple(EventRecord(first + 1 + i, e) for i, e in enumerate(events))
    assert made == usual
    assert [type(r) for r in made] == [EventRecord] * len(events)
    assert [(r.position, r.event) for r in made] == [(r.position, r.event) for r in usual]
    assert [repr(r) for r in made] == [repr(r) for r in usual]


def _refusal(act: Any) -> tuple[str, Any]:
    try:
        act()
    except Exception as exc:  # the same exception, whichever path refused it
        return ("error", (type(exc), str(exc)))
    return ("ok", None)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(("lead", "subclass", "text", "none", "number")),
    st.sampled_from(("add", "save", "append")),
    st.booleans(),
)
def test_inline_checks_refuse_as_the_general_checks(
    kind: str, operation: str, finished: bool
) -> None:
    """A repository's inline open and exact-type checks fall back to the general ones."""
    from salescore.storage._unit import Unit

    class Sub(Lead):
        pass

    lead = Lead.new(id="x", at=AT, actor="t", email="x@x.example")
    item: Any = {
        "lead": lead,
        "subclass": Sub.new(id="y", at=AT, actor="t", email="y@x.example"),
        "text": "x",
        "none": None,
        "number": 3,
    }[kind]

    def through(general: bool) -> tuple[str, Any]:
        store = InMemoryStore()
        uow = store.unit_of_work()
        if finished:
            uow.rollback()
        repo = uow.interactions if operation == "append" else uow.leads
        if general:
            spec = repo._spec

            def act() -> None:
                uow._check_open()
                Unit._check_type(spec, item)

            first = _refusal(act)
            if first[0] == "error":
                return first
        act = getattr(repo, operation)
        return _refusal(lambda: act(item, 0) if operation == "save" else act(item))

    assert through(False) == through(True)


# -- a unit's fast paths held to the general ones ------------------------------------------

store_steps = st.lists(
    st.tuples(
        st.sampled_from(("open", "add", "save", "append", "commit", "rollback", "index")),
        st.integers(0, 3),
        st.sampled_from(("leads", "contacts")),
        st.sampled_from(("a", "b", "c")),
    ),
    max_size=40,
)


def _contact(key: str, at: datetime) -> Any:
    from salescore.domain.parties import Contact

    return Contact.new(id=key, at=at, actor="t", first_name="Ana", emails=(f"{key}@x.example",))


@settings(max_examples=300, deadline=None)
@given(store_steps)
def test_the_log_index_built_on_demand_is_the_index_kept_at_every_commit(
    steps: list[tuple[str, int, str, str]],
) -> None:
    """The per-subject positions, built only when a rewrite asks, equal an eager index.

    The eager index (the general path) is kept here: at every commit, each event's
    position under (the repository the unit wrote its subject to, or "", its subject).
    Every unit is open on its own snapshot; the "index" step builds the index midway.
    """
    from salescore.domain.interactions import Interaction

    store = InMemoryStore()
    eager: dict[tuple[str, str], list[int]] = {}
    # each open unit, and the (repository, key) it wrote, in the order first written
    units: list[tuple[Any, dict[tuple[str, str], None]]] = []
    at = AT
    for action, pick, repo, key in steps:
        at += timedelta(minutes=1)
        if action == "index":
            with store._lock:
                store._rewritten([])
            continue
        if action == "open" or not units:
            units.append((store.unit_of_work(), {}))
            if action == "open":
                continue
        slot = pick % len(units)
        unit, written = units[slot]
        try:
            if action == "add":
                item = Lead.new(id=key, at=at, actor="t", company="X")
                getattr(unit, repo).add(item if repo == "leads" else _contact(key, at))
                written.setdefault((repo, key))
            elif action == "save":
                old = getattr(unit, repo).get(key)
                new = old.update(title=f"t{at.minute}", at=at, actor="t")
                getattr(unit, repo).save(new)
                written.setdefault((repo, key))
            elif action == "append":
                unit.interactions.append(
                    Interaction.call(
                        id=f"n{at.timestamp():.0f}", at=at, actor="t", disposition="no_answer"
                    )
                )
                written.setdefault(("interactions", f"n{at.timestamp():.0f}"))
            elif action == "commit":
                del units[slot]
                owners = {k: r for r, k in written}  # a key written twice: the later
                for record in unit.commit():
                    subject = record.event.subject_id
                    eager.setdefault((owners.get(subject, ""), subject), []).append(
                        record.position - 1
                    )
            else:
                del units[slot]
                unit.rollback()
        except (NotFound, ConcurrencyError, ValidationError):
            pass  # refused by the store: nothing written, for either index
    for unit, _ in units:
        unit.rollback()
    with store._lock:
        store._rewritten([])
    assert store._logged == eager
    assert store._unlogged == []
    assert store._active == {}


def _general_save(repo: Any, item: Any, expected_version: int | None = None) -> None:
    """``save`` of an aggregate through the unit's general checks (the general path)."""
    unit, spec = repo._unit, repo._spec
    unit._check_open()
    unit._check_type(spec, item)
    expected = unit._expected(spec, item.id, expected_version)
    if item.version < expected:
        raise ConcurrencyError(
            f"{spec.name} item {item.id!r} is at version {item.version}, "
            f"older than the stored version {expected}"
        )
    if item.version == expected:
        return
    unit._save(spec, item, item.id, expected, item.version)
    unit._events.extend(item.history[expected:])


def _unit_state(unit: Any) -> Any:
    state = dict(vars(unit))
    state.pop("_session")
    for name in ("leads", "contacts"):
        state.pop(name, None)
    if "_pending" in state:
        state["_pending"] = {
            k: (w.spec.name, w.key, w.insert, w.expected, w.version, w.obj)
            for k, w in state["_pending"].items()
        }
    return state


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(("get", "save", "save_stale", "add", "finish")),
            st.sampled_from(("a", "b")),
            st.one_of(st.none(), st.integers(-1, 6), st.just(True), st.just("2")),
        ),
        max_size=25,
    )
)
def test_save_reads_its_expected_version_as_the_general_check_does(
    steps: list[tuple[str, str, Any]],
) -> None:
    """The inline "read in this unit" case of ``save`` against ``_expected`` itself."""
    stores = (InMemoryStore(), InMemoryStore())
    for store in stores:
        with store.unit_of_work() as uow:
            uow.leads.add(Lead.new(id="a", at=AT, actor="t", company="A"))
    units = [store.unit_of_work() for store in stores]
    at = AT
    for action, key, expected in steps:
        at += timedelta(minutes=1)
        outcomes = []
        for unit, save in zip(units, (lambda r, i, e: r.save(i, e), _general_save), strict=True):
            try:
                if action == "get":
                    got: Any = unit.leads.get(key)
                elif action == "add":
                    got = unit.leads.add(Lead.new(id=key, at=AT, actor="t", company="B"))
                elif action == "finish":
                    got = unit.rollback()
                else:
                    lead = unit.leads.get(key)
                    if action == "save_stale":
                        lead = Lead.new(id=key, at=AT, actor="t", company="B")
                    lead = lead.update(title=f"t{at.minute}", at=at, actor="t")
                    got = save(unit.leads, lead, expected)
                outcomes.append(("ok", got))
            except Exception as exc:
                outcomes.append(("error", (type(exc), str(exc))))
        assert outcomes[0] == outcomes[1]
        assert _unit_state(units[0]) == _unit_state(units[1])
    for unit in units:
        unit.rollback()


@settings(max_examples=300, deadline=None)
@given(actions)
def test_a_commit_closes_its_session_as_a_rollback_would(
    steps: list[tuple[str, int, str]],
) -> None:
    """After every step, the store counts exactly the open units, by snapshot."""
    store = InMemoryStore()
    units: list[Any] = []
    at = AT
    for action, pick, key in steps:
        at += timedelta(minutes=1)
        if action == "open" or not units:
            units.append(store.unit_of_work())
        else:
            unit = units[pick % len(units)]
            try:
                if action == "read":
                    _version_of(unit, key)
                elif action == "write":
                    if _version_of(unit, key) is None:
                        unit.leads.add(Lead.new(id=key, at=at, actor="t", company=key))
                    else:
                        lead = unit.leads.get(key)
                        unit.leads.save(lead.update(title=f"t{at.minute}", at=at, actor="t"))
                elif action == "commit":
                    units.remove(unit)
                    unit.commit()
                else:
                    units.remove(unit)
                    unit.rollback()
            except ConcurrencyError:
                assert action == "commit"
        counts: dict[int, int] = {}
        for unit in units:
            seq = unit._session._seq
            counts[seq] = counts.get(seq, 0) + 1
        assert store._active == counts
        assert all(not u._session._closed for u in units)
    for unit in units:
        session = unit._session
        with contextlib.suppress(ConcurrencyError):
            unit.commit()
        assert session._closed
    assert store._active == {}
