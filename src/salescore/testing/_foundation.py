"""Strategies for the foundation's types: datetimes, ids, stages, funnels, events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from salescore.domain.events import RESERVED_FIELDS, FieldsChanged, StageChanged
from salescore.domain.stages import ForecastCategory, Funnel, Stage, StageKind, TransitionPolicy
from salescore.ids import DeterministicIds

__all__ = [
    "aware_datetimes",
    "deterministic_ids",
    "fields_changed",
    "funnels",
    "json_values",
    "stage_changed",
    "stage_keys",
    "stages",
    "transition_policies",
]

_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def texts(
    *, min_size: int = 0, max_size: int = 20, multiline: bool = False
) -> st.SearchStrategy[str]:
    """Text salescore accepts: no control characters or lone surrogates.

    One-line text (``multiline=False``, the default) is not blank when
    ``min_size`` is at least 1; multi-line text may hold newlines and tabs.
    """
    chars = st.characters(
        exclude_categories=("Cs", "Cc"), include_characters="\n\t" if multiline else ""
    )
    text = st.text(chars, min_size=min_size, max_size=max_size)
    return text.filter(str.strip) if min_size else text


def aware_datetimes(
    min_value: datetime = datetime(2020, 1, 1),
    max_value: datetime = datetime(2030, 12, 31),
) -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes with fixed offsets between -12:00 and +14:00."""
    offsets = st.integers(min_value=-12 * 4, max_value=14 * 4).map(
        lambda q: timezone(timedelta(minutes=15 * q))
    )
    return st.datetimes(min_value=min_value, max_value=max_value, timezones=offsets)


def stage_keys() -> st.SearchStrategy[str]:
    """Snake-case keys."""
    return st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)


def stages(kind: StageKind | None = None) -> st.SearchStrategy[Stage]:
    """Valid :class:`Stage` values."""
    return st.builds(
        Stage,
        key=stage_keys(),
        label=texts(max_size=20),
        kind=st.just(kind) if kind is not None else st.sampled_from(StageKind),
        probability=st.none() | st.floats(min_value=0, max_value=1),
        forecast_category=st.none() | st.sampled_from(ForecastCategory),
        rotting_after=st.none()
        | st.integers(min_value=0, max_value=90 * 86400).map(lambda s: timedelta(seconds=s)),
        requires=st.just(()),
    )


def transition_policies() -> st.SearchStrategy[TransitionPolicy]:
    """Flag-based transition policies."""
    return st.builds(
        TransitionPolicy,
        backwards=st.booleans(),
        skipping=st.booleans(),
        reopen=st.booleans(),
    )


@st.composite
def funnels(draw: st.DrawFn, max_stages: int = 8) -> Funnel:
    """Valid funnels: unique keys, at least one open stage (the first)."""
    n = draw(st.integers(min_value=1, max_value=max_stages))
    keys = draw(st.lists(stage_keys(), min_size=n, max_size=n, unique=True))
    kinds = [StageKind.OPEN] + [
        draw(st.sampled_from([StageKind.OPEN, StageKind.OPEN, StageKind.WON, StageKind.LOST]))
        for _ in keys[1:]
    ]
    stage_list = tuple(
        Stage(
            key=k,
            kind=kind,
            probability=draw(st.none() | st.floats(min_value=0, max_value=1)),
            rotting_after=draw(st.none() | st.sampled_from([timedelta(days=d) for d in (1, 7)])),
        )
        for k, kind in zip(keys, kinds, strict=True)
    )
    policy = draw(transition_policies())
    return Funnel(key=draw(stage_keys()), stages=stage_list, policy=policy)


def deterministic_ids() -> st.SearchStrategy[DeterministicIds]:
    """Fresh deterministic id factories."""
    return st.builds(
        DeterministicIds,
        namespace=st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True),
        seed=st.integers(min_value=0, max_value=2**32),
    )


def json_values(max_leaves: int = 10) -> st.SearchStrategy[Any]:
    """Values that ``Any``-typed fields can hold and serialise exactly."""

    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**53), max_value=2**53)
        | texts(max_size=20, multiline=True)
        | st.decimals(
            allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12
        )
        | aware_datetimes()
        | st.dates()
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.tuples(inner, inner)
            | st.lists(inner, max_size=3)
            | st.dictionaries(st.from_regex(r"[a-z]{1,5}", fullmatch=True), inner, max_size=3)
        ),
        max_leaves=max_leaves,
    )


def _envelope() -> dict[str, st.SearchStrategy[Any]]:
    """Strategies for what every event carries: subject, instant and actor."""
    return {
        "subject_id": st.from_regex(r"[a-z]{1,8}-[0-9]{1,4}", fullmatch=True),
        "at": aware_datetimes(),
        "actor": texts(min_size=1, max_size=10),
    }


def stage_changed() -> st.SearchStrategy[StageChanged]:
    """:class:`StageChanged` events."""
    return st.builds(
        StageChanged,
        **_envelope(),
        funnel=stage_keys(),
        from_stage=st.none() | stage_keys(),
        to_stage=stage_keys(),
        reason=st.none() | texts(max_size=20, multiline=True),
    )


def fields_changed() -> st.SearchStrategy[FieldsChanged]:
    """:class:`FieldsChanged` events with arbitrary serialisable values."""
    return st.builds(
        FieldsChanged,
        **_envelope(),
        changes=st.dictionaries(
            st.from_regex(r"[a-z][a-z_]{0,9}", fullmatch=True).filter(
                lambda name: name not in RESERVED_FIELDS
            ),
            st.tuples(json_values(4), json_values(4)),
            min_size=1,
            max_size=3,
        ),
        reason=st.none() | texts(max_size=20, multiline=True),
    )
