"""Funnel conversion, drop-off and time in stage, folded from stage changes.

:func:`funnel_report` reads stage changes — any objects with
``subject_id``, ``to_stage`` and ``at``, as
:class:`~salescore.domain.events.StageChanged` events are — once, from any
iterable, and answers: how many subjects reached each step, what share went
on to the next, and how long they spent in each stage. :func:`lost_reasons`,
:func:`stale_items` and :func:`stage_durations` answer the other stage
questions from the same kind of input.

Ordering: a subject's changes are taken in time order; changes at the same
instant in the funnel order of their target stage, then in input order.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from salescore.analytics._report import (
    Items,
    Report,
    check_collection,
    check_positive,
    find,
    items,
    lookup,
    ratio,
    seconds_median,
    seconds_p90,
)
from salescore.analytics.periods import Period, ReportingCalendar, to_period
from salescore.domain.stages import Funnel, StageKind
from salescore.errors import ValidationError

__all__ = [
    "FunnelGroup",
    "FunnelReport",
    "FunnelStep",
    "LostReason",
    "LostReasons",
    "StageDuration",
    "StageDurations",
    "StaleItem",
    "StaleItems",
    "funnel_report",
    "lost_reasons",
    "stage_durations",
    "stale_items",
]

_ZERO = timedelta(0)


def _change_or_other(item: Any) -> bool:
    """A stage change (``to_stage``, ``subject_id``, ``at``) or an object without ``to_stage``."""
    return not hasattr(item, "to_stage") or (hasattr(item, "subject_id") and hasattr(item, "at"))


_CHANGES = Items("a stage change (with subject_id, to_stage and at)", fits=_change_or_other)
_NO_GROUP = "is not a group of this report"


@attrs.frozen(kw_only=True)
class FunnelStep:
    """One step of a funnel report.

    Attributes:
        stage: The stage key.
        entered: Subjects that reached this step (or a later one).
        conversion: ``entered`` of the next step divided by this one's;
            ``None`` for the last step and for an empty step.
        overall: ``entered`` divided by the first step's ``entered``
            (``None`` when nobody entered the funnel).
        drop_off: ``1 - conversion`` (``None`` where ``conversion`` is).
        median_time_in_stage: The median, over subjects with at least one
            completed visit of this stage, of each one's total time in it.
        p90_time_in_stage: The 90th percentile of the same durations.
    """

    stage: str
    entered: int
    conversion: float | None
    overall: float | None
    drop_off: float | None
    median_time_in_stage: timedelta | None
    p90_time_in_stage: timedelta | None

    def to_row(self) -> dict[str, Any]:
        """The step as a plain dict."""
        return attrs.asdict(self)


@attrs.frozen
class FunnelGroup:
    """The steps of one cohort or segment.

    Attributes:
        key: The cohort label, the segment, or a ``(cohort, segment)`` pair.
        steps: The steps, as in :class:`FunnelReport`.
    """

    key: Hashable
    steps: tuple[FunnelStep, ...]


@attrs.frozen(kw_only=True)
class FunnelReport(Report):
    """Conversion through a funnel's steps.

    Attributes:
        funnel: The funnel's key.
        steps: The steps — the funnel's stages that are not lost — in order.
        window: The conversion window the report was made with, if any.
        groups: One entry per cohort or segment when asked for, in the
            order of their keys (``None`` sorts first).
    """

    funnel: str
    steps: tuple[FunnelStep, ...]
    window: timedelta | None = None
    groups: tuple[FunnelGroup, ...] = ()

    def step(self, stage: str) -> FunnelStep:
        """The step of ``stage``.

        Raises:
            NotFound: ``stage`` is not a step of this report.
        """
        return find(
            self.steps,
            lambda s: s.stage == stage,
            "stage",
            stage,
            f"is not a step of funnel {self.funnel!r}",
        )

    def group(self, key: Hashable) -> tuple[FunnelStep, ...]:
        """The steps of one cohort or segment.

        Raises:
            NotFound: no such group.
        """
        return find(self.groups, lambda g: g.key == key, "group", key, _NO_GROUP).steps

    @property
    def entered(self) -> tuple[int, ...]:
        """``entered`` of every step, in order."""
        return tuple(s.entered for s in self.steps)

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per step; with groups, a ``group`` column (``None`` for all subjects)."""
        if not self.groups:
            return [s.to_row() for s in self.steps]
        rows = [{"group": None, **s.to_row()} for s in self.steps]
        for g in self.groups:
            rows.extend({"group": g.key, **s.to_row()} for s in g.steps)
        return rows


def _unknown_stage(funnel: Funnel, stage: Any) -> ValidationError:
    return ValidationError.single(
        "to_stage", stage, f"is not a stage of funnel {funnel.key!r} ({', '.join(funnel.keys)})"
    )


def _not_aware(value: Any) -> ValidationError:
    return ValidationError.single("at", value, "must be a timezone-aware datetime")


def _check_funnel(funnel: Any, changes: Any) -> None:
    if not isinstance(funnel, Funnel):
        raise ValidationError.single("funnel", funnel, "must be a Funnel")
    check_collection(changes, "changes", "stage changes")


def _check_at(at: Any) -> None:
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise _not_aware(at)


def _read(funnel: Funnel, changes: Iterable[Any]) -> Iterator[tuple[Any, str, int, datetime]]:
    """Yield ``(change, subject_id, stage position, at)`` for the funnel's changes."""
    key = funnel.key
    index = {s.key: i for i, s in enumerate(funnel.stages)}
    for c in changes:
        if getattr(c, "funnel", key) != key:
            continue
        try:
            to = c.to_stage
        except AttributeError:  # another event of the log, not a stage change
            continue
        pos = index.get(to)
        if pos is None:
            raise _unknown_stage(funnel, to)
        yield c, c.subject_id, pos, c.at


def _by_subject(funnel: Funnel, changes: Iterable[Any]) -> dict[str, list[tuple[datetime, int]]]:
    """Each subject's changes as ``(at, position)`` pairs, sorted by time, then stage order."""
    per: dict[str, list[tuple[datetime, int]]] = {}
    for _, sid, pos, at in _read(funnel, changes):
        lst = per.get(sid)
        if lst is None:
            _check_at(at)
            per[sid] = [(at, pos)]
        else:
            lst.append((at, pos))
    try:
        for lst in per.values():
            if len(lst) > 1:
                lst.sort()
    except TypeError:
        for lst in per.values():
            for at, _ in lst:
                _check_at(at)
        raise  # pragma: no cover - a naive datetime is found above
    return per


class _Unordered(Exception):
    """A sequence turned out not to be in time order: fold it the other way."""


class _Fold:
    """The per-subject state of a funnel report.

    ``state[sid] = [last_at, open_pos, reached, first_at, reached_in_window]``
    (``first_at`` the first entry into a step, ``reached_in_window`` the
    furthest step reached within the window of it); ``totals[pos][sid]``
    the subject's completed time in the stage at ``pos``.
    """

    def __init__(self, funnel: Funnel, window: timedelta | None) -> None:
        self.funnel = funnel
        self.window = window
        step = 0
        self.step_of: list[int] = []
        self.step_pos: list[int] = []
        for pos, s in enumerate(funnel.stages):
            if s.kind is StageKind.LOST:
                self.step_of.append(-1)
            else:
                self.step_of.append(step)
                self.step_pos.append(pos)
                step += 1
        self.state: dict[str, list[Any]] = {}
        self.totals: list[dict[str, timedelta]] = [{} for _ in funnel.stages]

    def stream(self, changes: Iterable[Any], *, strict: bool = True) -> None:
        """Fold changes that come in time order per subject, as they are read.

        A change that goes back in time for its subject raises
        ``ValidationError`` when ``strict``, else :class:`_Unordered`.
        """
        funnel_key = self.funnel.key
        index = {s.key: i for i, s in enumerate(self.funnel.stages)}
        state = self.state
        totals = self.totals
        step_of = self.step_of
        window = self.window
        zero = _ZERO
        at: Any = None
        try:
            for c in changes:
                if getattr(c, "funnel", funnel_key) != funnel_key:
                    continue
                try:
                    to = c.to_stage
                except AttributeError:  # another event of the log, not a stage change
                    continue
                pos = index.get(to)
                if pos is None:
                    raise _unknown_stage(self.funnel, to)
                sid = c.subject_id
                at = c.at
                st = state.get(sid)
                step = step_of[pos]
                if st is None:
                    _check_at(at)
                    if step >= 0:
                        state[sid] = [at, pos, step, at, step]
                    else:
                        state[sid] = [at, pos, -1, None, -1]
                    continue
                last = st[0]
                if at > last:
                    tot = totals[st[1]]
                    tot[sid] = tot.get(sid, zero) + (at - last)
                    st[0] = at
                    st[1] = pos
                elif at == last:
                    if pos >= st[1]:
                        tot = totals[st[1]]
                        st[1] = pos
                    else:
                        tot = totals[pos]
                    tot[sid] = tot.get(sid, zero)
                elif not strict:
                    raise _Unordered
                else:
                    raise ValidationError.single(
                        "at",
                        at,
                        f"goes back in time for subject {sid!r} (previous change at "
                        f"{last.isoformat()}): with in_time_order=True each subject's "
                        "changes must come in time order",
                    )
                if step >= 0:
                    if step > st[2]:
                        st[2] = step
                    first = st[3]
                    if first is None:
                        st[3] = at
                        st[4] = step
                    elif step > st[4] and (window is None or at - first <= window):
                        st[4] = step
        except TypeError:
            raise _not_aware(at) from None

    def subjects(self, per: Mapping[str, list[tuple[datetime, int]]]) -> None:
        """Fold each subject's changes, given sorted."""
        state = self.state
        totals = self.totals
        step_of = self.step_of
        window = self.window
        zero = _ZERO
        for sid, lst in per.items():
            last, open_pos = lst[0]
            reached = step_of[open_pos]
            first = last if reached >= 0 else None
            in_window = reached
            for at, pos in lst[1:]:
                if at > last:
                    tot = totals[open_pos]
                    tot[sid] = tot.get(sid, zero) + (at - last)
                    last = at
                    open_pos = pos
                else:  # the same instant, sorted by stage: a visit of no time
                    tot = totals[open_pos]
                    tot[sid] = tot.get(sid, zero)
                    open_pos = pos
                step = step_of[pos]
                if step >= 0:
                    if step > reached:
                        reached = step
                    if first is None:
                        first = at
                        in_window = step
                    elif step > in_window and (window is None or at - first <= window):
                        in_window = step
            state[sid] = [last, open_pos, reached, first, in_window]

    def steps(self, members: Iterable[str] | None = None) -> tuple[FunnelStep, ...]:
        """The steps over all subjects, or over ``members`` only."""
        n = len(self.step_pos)
        hist = [0] * (n + 1)
        state = self.state
        if members is None:
            for st in state.values():
                hist[st[4] + 1] += 1
        else:
            for sid in members:
                hist[state[sid][4] + 1] += 1
        entered = [0] * n
        running = 0
        for i in range(n - 1, -1, -1):
            running += hist[i + 1]
            entered[i] = running
        wanted = None if members is None else set(members)
        steps = []
        for i, pos in enumerate(self.step_pos):
            tot = self.totals[pos]
            if wanted is None:
                secs = [td.total_seconds() for td in tot.values()]
            else:
                secs = [td.total_seconds() for sid, td in tot.items() if sid in wanted]
            conversion = ratio(entered[i + 1], entered[i]) if i + 1 < n else None
            steps.append(
                FunnelStep(
                    stage=self.funnel.stages[pos].key,
                    entered=entered[i],
                    conversion=conversion,
                    overall=ratio(entered[i], entered[0]),
                    drop_off=None if conversion is None else 1.0 - conversion,
                    median_time_in_stage=seconds_median(secs),
                    p90_time_in_stage=seconds_p90(secs),
                )
            )
        return tuple(steps)


def _group_sort_key(key: Hashable) -> tuple[Any, ...]:
    if isinstance(key, tuple):
        return tuple(x for part in key for x in _group_sort_key(part))
    return (key is not None, str(key) if key is not None else "")


@items(changes=_CHANGES)
def funnel_report(
    funnel: Funnel,
    changes: Iterable[Any],
    *,
    window: timedelta | None = None,
    cohort: Period | str | None = None,
    calendar: ReportingCalendar | None = None,
    segment: Mapping[str, Hashable] | Callable[[str], Hashable] | None = None,
    in_time_order: bool = False,
) -> FunnelReport:
    """Conversion, drop-off and time in stage through a funnel's steps.

    The steps are the funnel's stages that are not of kind lost, in funnel
    order. A subject has *reached* step ``i`` if any of its changes moved
    it into a step at least as far as step ``i`` (a deal that skipped a step
    has passed it); a move into a lost stage reaches no step. The time in a
    stage is, per subject, the sum of its completed visits (from a change
    into the stage to that subject's next change).

    Args:
        funnel: The funnel.
        changes: Stage changes: objects with ``subject_id``, ``to_stage``
            and ``at`` (aware). Those whose ``funnel`` attribute names another
            funnel, and objects without ``to_stage`` (the other events of an
            aggregate's history), are skipped, so a whole event log can be
            passed. An
            iterator is read once. A sequence (a list) is folded as it is
            read and, only if a subject's changes turn out not to be in time
            order, read a second time and sorted.
        window: Count a later step only when it was reached within this time
            of the subject's first entry into a step.
        cohort: Also report each cohort of subjects by the period (week,
            month, quarter or year) in which they first entered a step.
        calendar: The reporting zone and fiscal-year start of the cohorts
            (default UTC, January).
        segment: Also report each segment: subject id → segment value
            (source, owner, campaign…), as a mapping or a function.
        in_time_order: The changes come in time order per subject (as an
            event log does): they are then folded as they are read, in memory
            that grows with the subjects rather than the changes.

    Returns:
        The report; with ``cohort`` or ``segment`` its ``groups`` hold one
        entry per cohort label, per segment, or per ``(cohort, segment)``
        pair when both are given.

    Raises:
        ValidationError: ``changes`` that are no collection, a ``segment``
            that is neither a mapping nor a function, a change into a stage
            that is not in the funnel, an ``at`` that is not an aware
            datetime, a ``window`` that is not positive, or (with
            ``in_time_order``) a change that goes back in time for its subject.
    """
    if window is not None:
        if not isinstance(window, timedelta):
            raise ValidationError.single("window", window, "must be a timedelta")
        check_positive(window, "window")
    reporting = calendar or ReportingCalendar()
    if cohort is not None:
        to_period(cohort)
    if not (segment is None or isinstance(segment, Mapping) or callable(segment)):
        raise ValidationError.single(
            "segment", segment, "must be a mapping of subject ids to segments or a function"
        )
    _check_funnel(funnel, changes)
    fold = _Fold(funnel, window)
    if in_time_order:
        fold.stream(changes)
    else:
        try:
            if not isinstance(changes, Sequence):
                raise _Unordered
            fold.stream(changes, strict=False)
        except _Unordered:
            fold = _Fold(funnel, window)
            fold.subjects(_by_subject(funnel, changes))
    groups: tuple[FunnelGroup, ...] = ()
    if cohort is not None or segment is not None:
        members: dict[Hashable, list[str]] = {}
        for sid, st in fold.state.items():
            if st[3] is None:
                continue
            parts: list[Hashable] = []
            if cohort is not None:
                parts.append(reporting.label(st[3], cohort))
            if segment is not None:
                parts.append(lookup(segment, sid))
            key = parts[0] if len(parts) == 1 else tuple(parts)
            members.setdefault(key, []).append(sid)
        groups = tuple(
            FunnelGroup(key, fold.steps(members[key]))
            for key in sorted(members, key=_group_sort_key)
        )
    return FunnelReport(funnel=funnel.key, steps=fold.steps(), window=window, groups=groups)


# --- lost reasons -----------------------------------------------------------


@attrs.frozen(kw_only=True)
class LostReason:
    """How many subjects were lost from one stage for one reason.

    Attributes:
        from_stage: The stage they were in (``None`` if unknown).
        lost_stage: The lost stage they moved to.
        reason: The reason given (``None`` if none).
        count: How many such moves.
    """

    from_stage: str | None
    lost_stage: str
    reason: str | None
    count: int


@attrs.frozen
class LostReasons(Report):
    """Moves into lost stages, by the stage they left and the reason given.

    Attributes:
        reasons: Most frequent first, then by stage order and reason.
    """

    reasons: tuple[LostReason, ...]

    def by_stage(self) -> dict[str | None, int]:
        """Moves into a lost stage per stage left."""
        out: dict[str | None, int] = {}
        for r in self.reasons:
            out[r.from_stage] = out.get(r.from_stage, 0) + r.count
        return out

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per (stage left, lost stage, reason)."""
        return [attrs.asdict(r) for r in self.reasons]


@items(changes=_CHANGES)
def lost_reasons(funnel: Funnel, changes: Iterable[Any]) -> LostReasons:
    """Count moves into lost stages by the stage left and the reason.

    Args:
        funnel: The funnel.
        changes: Stage changes (``from_stage`` and ``reason`` are read when
            present). Read once.

    Returns:
        The counts.

    Raises:
        ValidationError: ``changes`` that are no collection, or a change
            into a stage that is not in the funnel.
    """
    _check_funnel(funnel, changes)
    lost = {s.key for s in funnel.stages if s.kind is StageKind.LOST}
    counts: Counter[tuple[str | None, str, str | None]] = Counter()
    for c, _, _, _ in _read(funnel, changes):
        if c.to_stage in lost:
            counts[(getattr(c, "from_stage", None), c.to_stage, getattr(c, "reason", None))] += 1
    order = {s.key: i for i, s in enumerate(funnel.stages)}

    def sort_key(item: tuple[tuple[str | None, str, str | None], int]) -> tuple[Any, ...]:
        (src, dst, reason), n = item
        return (-n, order.get(src, -1) if src else -1, order[dst], reason or "")

    return LostReasons(
        tuple(
            LostReason(from_stage=src, lost_stage=dst, reason=reason, count=n)
            for (src, dst, reason), n in sorted(counts.items(), key=sort_key)
        )
    )


# --- stale items ------------------------------------------------------------


@attrs.frozen(kw_only=True)
class StaleItem:
    """A subject that has sat in its stage longer than the stage's rotting age.

    Attributes:
        subject_id: The subject.
        stage: Its current stage.
        entered_at: When it entered that stage.
        age: How long it has been there at the evaluation instant.
    """

    subject_id: str
    stage: str
    entered_at: datetime
    age: timedelta


@attrs.frozen
class StaleItems(Report):
    """Stale subjects, by stage.

    Attributes:
        at: The evaluation instant.
        items: Stale subjects, in stage order, oldest first, then by id.
    """

    at: datetime
    items: tuple[StaleItem, ...]

    def by_stage(self) -> dict[str, int]:
        """The number of stale subjects per stage (stages with none left out)."""
        return dict(Counter(i.stage for i in self.items))

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per stale subject."""
        return [attrs.asdict(i) for i in self.items]


@items(changes=_CHANGES)
def stale_items(funnel: Funnel, changes: Iterable[Any], *, at: datetime) -> StaleItems:
    """Subjects whose current stage has a rotting age they have exceeded.

    A subject's current stage is its last change (in the order above) at or
    before ``at``; it is stale when that stage has ``rotting_after`` and the
    subject has been there longer.

    Args:
        funnel: The funnel (its stages carry ``rotting_after``).
        changes: Stage changes. Read once; memory grows with the subjects.
        at: The evaluation instant.

    Returns:
        The stale subjects.

    Raises:
        ValidationError: ``changes`` that are no collection, ``at`` or a
            change's ``at`` that is not aware, or a change into an unknown stage.
    """
    _check_funnel(funnel, changes)
    _check_at(at)
    current: dict[str, tuple[datetime, int]] = {}
    for _, sid, pos, when in _read(funnel, changes):
        _check_at(when)
        if when > at:
            continue
        prev = current.get(sid)
        if prev is None or (when, pos) >= prev:
            current[sid] = (when, pos)
    items = []
    for sid, (when, pos) in current.items():
        stage = funnel.stages[pos]
        limit = stage.rotting_after
        if limit is not None and at - when > limit:
            items.append(StaleItem(subject_id=sid, stage=stage.key, entered_at=when, age=at - when))
    order = {s.key: i for i, s in enumerate(funnel.stages)}
    items.sort(key=lambda i: (order[i.stage], -i.age, i.subject_id))
    return StaleItems(at, tuple(items))


# --- stage-to-stage durations ----------------------------------------------


@attrs.frozen(kw_only=True)
class StageDuration:
    """The distribution of time between entering one stage and the next move.

    Attributes:
        from_stage: The stage entered.
        to_stage: The stage the subject moved to next.
        count: How many such moves.
        minimum: The shortest time.
        median: The median time (``statistics.median`` over seconds).
        p90: The 90th percentile (inclusive method).
        maximum: The longest time.
    """

    from_stage: str
    to_stage: str
    count: int
    minimum: timedelta
    median: timedelta
    p90: timedelta
    maximum: timedelta


@attrs.frozen
class StageDurations(Report):
    """Time from entering a stage to moving on, per pair of stages.

    Attributes:
        pairs: One entry per (from, to) pair seen, in funnel order of both.
    """

    pairs: tuple[StageDuration, ...]

    def pair(self, from_stage: str, to_stage: str) -> StageDuration:
        """The entry of one pair.

        Raises:
            NotFound: the pair was never seen.
        """
        pair = (from_stage, to_stage)
        return find(
            self.pairs,
            lambda p: (p.from_stage, p.to_stage) == pair,
            "pair",
            pair,
            "no subject moved between these stages",
        )

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per pair of stages."""
        return [attrs.asdict(p) for p in self.pairs]


@items(changes=_CHANGES)
def stage_durations(funnel: Funnel, changes: Iterable[Any]) -> StageDurations:
    """Distributions of the time from entering a stage to each subject's next move.

    Args:
        funnel: The funnel.
        changes: Stage changes, ordered per subject as described above. Read once.

    Returns:
        One distribution per pair of consecutive stages.

    Raises:
        ValidationError: ``changes`` that are no collection, a change into
            an unknown stage or a naive ``at``.
    """
    _check_funnel(funnel, changes)
    per = _by_subject(funnel, changes)
    found: dict[tuple[int, int], list[float]] = {}
    for lst in per.values():
        for (a, pa), (b, pb) in itertools.pairwise(lst):
            found.setdefault((pa, pb), []).append((b - a).total_seconds())
    pairs = []
    for (pa, pb), secs in sorted(found.items()):
        secs.sort()
        pairs.append(
            StageDuration(
                from_stage=funnel.stages[pa].key,
                to_stage=funnel.stages[pb].key,
                count=len(secs),
                minimum=timedelta(seconds=secs[0]),
                median=seconds_median(secs) or _ZERO,
                p90=seconds_p90(secs) or _ZERO,
                maximum=timedelta(seconds=secs[-1]),
            )
        )
    return StageDurations(tuple(pairs))
