"""Lead scoring: criteria with signed points, groups with caps, decay and thresholds.

A :class:`ScoreModel` is plain data; :func:`score` computes and explains a
subject's score and :func:`apply_score` moves its lifecycle stage when a
threshold is crossed. Guide: :doc:`/scoring`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Protocol, Self, TypeVar, cast

import attrs

from salescore._codegen import slot_builder
from salescore._validation import Checker, as_float, as_tuple, check_mapping, ensure_aware
from salescore.decisions._evaluation import RuleAt, by_key, check_subject, lookup, missing_fields
from salescore.domain.leads import Lead
from salescore.errors import FieldError, ValidationError
from salescore.rules._compile import _Generator, _rename
from salescore.rules._kinds import is_call, is_count
from salescore.rules._nodes import Operand, Rule
from salescore.rules._truth import Truth
from salescore.serialization import register_type as _register_type

__all__ = [
    "Criterion",
    "CriterionScore",
    "GroupScore",
    "HalfLife",
    "ScoreGroup",
    "ScoreModel",
    "ScoreResult",
    "ScoredLead",
    "Step",
    "StepDecay",
    "Threshold",
    "apply_score",
    "score",
]

_TRUE: Final = Truth.TRUE
_FALSE: Final = Truth.FALSE
_ZERO: Final = timedelta(0)


def _as_opt_float(value: Any) -> Any:
    return None if value is None else as_float(value)


def _key(c: Checker, value: Any, path: str) -> None:
    c.text(value, path)


# --------------------------------------------------------------------------- decay


@attrs.frozen
class HalfLife:
    """Exponential decay: points halve every ``half_life``.

    The factor for an age ``a`` is ``0.5 ** (a / half_life)`` (1 at age 0,
    0.5 at one half-life, 0.25 at two).

    Args:
        half_life: A positive duration.

    Raises:
        ValidationError: ``half_life`` is not a positive timedelta.
    """

    half_life: timedelta

    def __attrs_post_init__(self) -> None:
        with Checker("HalfLife") as c:
            c.duration(self.half_life, "half_life")
            if isinstance(self.half_life, timedelta):
                c.check(self.half_life > _ZERO, "half_life", self.half_life, "must be positive")

    def factor(self, age: timedelta) -> float:
        """The weight of points of this age (a negative age counts as zero).

        Args:
            age: ``at`` minus the record's time.

        Returns:
            A float in ``(0, 1]``.
        """
        if age <= _ZERO:
            return 1.0
        return float(0.5 ** (age / self.half_life))


def _as_step(value: Any) -> Any:
    if isinstance(value, tuple | list) and len(value) == 2:
        return Step(within=value[0], factor=value[1])
    return value


def _as_steps(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return tuple(_as_step(v) for v in value)
    return value


@attrs.frozen(kw_only=True)
class Step:
    """One step of a :class:`StepDecay`: points no older than ``within`` weigh ``factor``.

    Args:
        within: The age up to which (inclusive) this factor applies.
        factor: A weight in ``[0, 1]``.

    Raises:
        ValidationError: A negative ``within`` or a factor outside ``[0, 1]``.
    """

    within: timedelta
    factor: float = attrs.field(converter=as_float)

    def __attrs_post_init__(self) -> None:
        with Checker("Step") as c:
            c.duration(self.within, "within")
            c.probability(self.factor, "factor")


@attrs.frozen
class StepDecay:
    """Step decay: full weight for a while, then less, then nothing.

    ``StepDecay(((timedelta(days=7), 1.0), (timedelta(days=30), 0.5),
    (timedelta(days=90), 0.0)))`` weighs points up to 7 days old fully,
    up to 30 days by half, and older ones not at all. The factor for an age
    is that of the first step whose ``within`` is at least the age; beyond the
    last step it is 0.

    Args:
        steps: :class:`Step` values or ``(within, factor)`` pairs, ``within``
            strictly increasing and ``factor`` never increasing (so that older
            points never weigh more).

    Raises:
        ValidationError: No steps, bad steps, or steps out of order.
    """

    steps: tuple[Step, ...] = attrs.field(converter=_as_steps)

    def __attrs_post_init__(self) -> None:
        with Checker("StepDecay") as c:
            steps = self.steps
            if not isinstance(steps, tuple) or not steps:
                c.add("steps", steps, "needs at least one step")
                return
            for i, s in enumerate(steps):
                c.instance(s, Step, f"steps[{i}]")
            if c.errors:
                return
            for i in range(1, len(steps)):
                c.check(
                    steps[i].within > steps[i - 1].within,
                    f"steps[{i}].within",
                    steps[i].within,
                    "must be longer than the step before",
                )
                c.check(
                    steps[i].factor <= steps[i - 1].factor,
                    f"steps[{i}].factor",
                    steps[i].factor,
                    "must not be larger than the factor of the step before",
                )

    def factor(self, age: timedelta) -> float:
        """The weight of points of this age (a negative age counts as zero).

        Args:
            age: ``at`` minus the record's time.

        Returns:
            The factor of the first step that covers ``age``, else 0.
        """
        for step in self.steps:
            if age <= step.within:
                return step.factor
        return 0.0


Decay = HalfLife | StepDecay


# --------------------------------------------------------------------------- model


@attrs.frozen(kw_only=True)
class Criterion:
    """One scoring criterion: a rule and the (signed) points it gives.

    Args:
        key: Unique within the model, e.g. ``"saas"`` or ``"email_click"``.
        rule: The condition. Without ``per_record`` it is evaluated against
            the subject; with it, against each related record.
        points: Points when the rule is TRUE (per matching record with
            ``per_record``); negative points subtract.
        group: The :class:`ScoreGroup` key, ``"fit"`` by default.
        decay: ``None``, :class:`HalfLife` or :class:`StepDecay`: weigh the
            points by the age of the record (or of the subject's
            ``age_field``).
        per_record: The path of related records to score one by one, such
            as ``"interactions"`` (looked up on the subject, then in the
            context), or ``None``.
        age_field: The datetime field whose age decay uses: on each record
            with ``per_record``, on the subject otherwise. Default ``"at"``.
        description: Free text for people.

    Raises:
        ValidationError: Every bad field at once.
    """

    key: str
    rule: Rule
    points: float = attrs.field(converter=as_float)
    group: str = "fit"
    decay: HalfLife | StepDecay | None = None
    per_record: str | None = None
    age_field: str = "at"
    description: str = ""

    def __attrs_post_init__(self) -> None:
        with Checker("Criterion") as c:
            _key(c, self.key, "key")
            c.instance(self.rule, Rule, "rule")
            c.number(self.points, "points")
            _key(c, self.group, "group")
            c.instance(self.decay, (HalfLife, StepDecay), "decay", optional=True)
            c.text(self.per_record, "per_record", optional=True)
            c.text(self.age_field, "age_field")
            c.text(self.description, "description", empty=True)


@attrs.frozen(kw_only=True)
class ScoreGroup:
    """A group of criteria whose sum is clamped to ``[floor, cap]``.

    Args:
        key: The group's key (``"fit"``, ``"engagement"`` …).
        cap: The most the group can add, or ``None`` for no cap.
        floor: The least it can add (it may be negative), or ``None``.
        label: A name for people.

    Raises:
        ValidationError: A bad key, a non-finite bound, or ``floor > cap``.
    """

    key: str
    cap: float | None = attrs.field(default=None, converter=_as_opt_float)
    floor: float | None = attrs.field(default=None, converter=_as_opt_float)
    label: str = ""

    def __attrs_post_init__(self) -> None:
        with Checker("ScoreGroup") as c:
            _key(c, self.key, "key")
            _bounds(c, self.floor, self.cap)
            c.text(self.label, "label", empty=True)


def _bounds(c: Checker, floor: Any, cap: Any) -> None:
    c.number(cap, "cap", optional=True)
    c.number(floor, "floor", optional=True)
    if isinstance(cap, float) and isinstance(floor, float) and floor > cap:
        c.add("floor", floor, f"must not be above the cap ({cap:g})")


@attrs.frozen(kw_only=True)
class Threshold:
    """A named score level; reaching it may move the lead's lifecycle stage.

    Args:
        key: For example ``"mql"``.
        score: The total at or above which the threshold is crossed.
        stage: The lifecycle stage to move to when crossed (forward only),
            or ``None`` to only report it.
        label: A name for people (``"Marketing-qualified"``).

    Raises:
        ValidationError: Every bad field at once.
    """

    key: str
    score: float = attrs.field(converter=as_float)
    stage: str | None = None
    label: str = ""

    def __attrs_post_init__(self) -> None:
        with Checker("Threshold") as c:
            _key(c, self.key, "key")
            c.number(self.score, "score")
            c.text(self.stage, "stage", optional=True)
            c.text(self.label, "label", empty=True)


_DEFAULT_GROUPS: Final = (ScoreGroup(key="fit"), ScoreGroup(key="engagement"))


def _stage_errors(subject: Any, thresholds: tuple[Threshold, ...]) -> list[FieldError]:
    """The thresholds whose stage the subject type's lifecycle funnel does not have.

    :func:`apply_score` leaves a lead alone at a stage it cannot reach, so a
    misspelled stage would never move anyone: with a subject type that moves
    through a ``"lifecycle"`` funnel (``Lead``), it is refused now.
    """
    funnels = getattr(subject, "stage_funnels", None)
    funnel = funnels.get("lifecycle") if isinstance(funnels, Mapping) else None
    if funnel is None:
        return []
    keys = funnel.keys
    errors = []
    for i, t in enumerate(thresholds):
        if isinstance(t, Threshold) and t.stage is not None and t.stage not in keys:
            close = difflib.get_close_matches(t.stage, keys, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            errors.append(
                FieldError(
                    f"thresholds[{i}].stage",
                    t.stage,
                    f"is not a stage of the lifecycle funnel ({', '.join(keys)}){hint}",
                )
            )
    return errors


_Row = tuple[Callable[..., Truth], float, int, Callable[[timedelta], float] | None, Any, str, bool]


@attrs.frozen
class _Plan:
    """The compiled form of a model: one row per criterion."""

    rows: tuple[_Row, ...]
    #: The whole model as one generated function ``(subject, at, context) ->
    #: total`` when no criterion decays or scores records one by one: the
    #: fast path of :meth:`ScoreModel.total`.
    simple: Callable[[Any, datetime, Mapping[str, Any] | None], float] | None
    #: Whether some criterion reads related records (``count(…)`` or
    #: ``per_record``), so that records dated after ``at`` must be dropped.
    reads_records: bool
    #: Per criterion, its line when FALSE and (when it neither decays nor
    #: counts records) when TRUE: immutable, so shared by every result.
    false_lines: tuple[CriterionScore, ...]
    true_lines: tuple[CriterionScore | None, ...]
    #: The thresholds by score (a stable sort: equal scores keep the model's order).
    thresholds: tuple[Threshold, ...] = ()


@attrs.frozen(kw_only=True, init=False)
class ScoreModel:
    """A lead score: criteria, groups with caps, a capped total and thresholds.

    See the module documentation for exactly how a score is computed.

    Args:
        key: The model's key, recorded with each result.
        criteria: The criteria, in the order their lines are reported.
        groups: The groups criteria belong to; by default ``fit`` and
            ``engagement``, both uncapped. Every criterion's group must be
            listed.
        cap: The most the total can be, or ``None``.
        floor: The least it can be (``0.0`` keeps scores non-negative), or
            ``None``.
        thresholds: Named levels such as MQL at 50 and SQL at 80.
        name: A name for people.
        subject: The type the model scores (``Lead``; or a rule schema, or
            anything with ``__rule_schema__``): every criterion's rule, its
            ``per_record`` relation and its ``age_field`` are checked against
            it now, so a misspelled field is refused with the nearest
            spelling instead of scoring 0 forever; so is every threshold's
            ``stage`` against the subject's lifecycle funnel, when it has
            one. Not stored; ``None`` checks nothing.

    Raises:
        ValidationError: Every bad field at once (duplicate keys, an
            undeclared group, ``floor > cap``, a field the subject type does
            not have, a threshold stage its lifecycle funnel does not have).
    """

    key: str
    criteria: tuple[Criterion, ...] = attrs.field(converter=as_tuple)
    groups: tuple[ScoreGroup, ...] = attrs.field(default=_DEFAULT_GROUPS, converter=as_tuple)
    cap: float | None = attrs.field(default=None, converter=_as_opt_float)
    floor: float | None = attrs.field(default=None, converter=_as_opt_float)
    thresholds: tuple[Threshold, ...] = attrs.field(default=(), converter=as_tuple)
    name: str = ""
    _plan: _Plan | None = attrs.field(default=None, init=False, eq=False, repr=False, hash=False)

    def __init__(
        self,
        *,
        key: str,
        criteria: Sequence[Criterion],
        groups: Sequence[ScoreGroup] = _DEFAULT_GROUPS,
        cap: float | None = None,
        floor: float | None = None,
        thresholds: Sequence[Threshold] = (),
        name: str = "",
        subject: Any = None,
    ) -> None:
        self.__attrs_init__(
            key=key,
            criteria=criteria,
            groups=groups,
            cap=cap,
            floor=floor,
            thresholds=thresholds,
            name=name,
        )
        rules: list[RuleAt] = []
        fields: list[tuple[str, str, str | None]] = []
        for i, crit in enumerate(self.criteria):
            rules.append((f"criteria[{i}].rule", crit.rule, crit.per_record))
            if crit.per_record is not None:
                fields.append((f"criteria[{i}].per_record", crit.per_record, None))
            if crit.decay is not None:
                fields.append((f"criteria[{i}].age_field", crit.age_field, crit.per_record))
        errors: list[FieldError] = []
        try:
            check_subject(subject, rules, "ScoreModel", fields=fields)
        except ValidationError as exc:
            errors.extend(exc.errors)
        errors.extend(_stage_errors(subject, self.thresholds))
        if errors:
            raise ValidationError(errors, "ScoreModel")

    def __attrs_post_init__(self) -> None:
        with Checker("ScoreModel") as c:
            _key(c, self.key, "key")
            c.text(self.name, "name", empty=True)
            _bounds(c, self.floor, self.cap)
            groups = _items(c, self.groups, ScoreGroup, "groups")
            _items(c, self.criteria, Criterion, "criteria")
            _items(c, self.thresholds, Threshold, "thresholds")
            known = {g.key for g in groups}
            for i, crit in enumerate(self.criteria if isinstance(self.criteria, tuple) else ()):
                if isinstance(crit, Criterion):
                    c.check(
                        crit.group in known,
                        f"criteria[{i}].group",
                        crit.group,
                        "is not one of the model's groups",
                    )

    @property
    def group_keys(self) -> tuple[str, ...]:
        """The groups' keys, in order."""
        return tuple(g.key for g in self.groups)

    def criterion(self, key: str) -> Criterion:
        """Return a criterion by key.

        Raises:
            NotFound: No such criterion.
        """
        return by_key(self.criteria, key, f"score model {self.key!r} has no criterion")

    def _compiled(self) -> _Plan:
        plan = self._plan
        if plan is None:
            index = {g.key: i for i, g in enumerate(self.groups)}
            rows = tuple(
                (
                    crit.rule.compile(),
                    crit.points,
                    index[crit.group],
                    None if crit.decay is None else crit.decay.factor,
                    None if crit.per_record is None else tuple(crit.per_record.split(".")),
                    crit.age_field,
                    crit.rule.needs_at,
                )
                for crit in self.criteria
            )
            simple = None
            if all(r[3] is None and r[4] is None for r in rows):
                simple = _generate_total(self)
            reads = any(c.per_record is not None or _reads_records(c.rule) for c in self.criteria)
            false_lines = tuple(_fixed_line(c, matched=False) for c in self.criteria)
            true_lines = tuple(
                _fixed_line(c, matched=True) if c.decay is None and c.per_record is None else None
                for c in self.criteria
            )
            thresholds = tuple(sorted(self.thresholds, key=lambda t: t.score))
            plan = _Plan(rows, simple, reads, false_lines, true_lines, thresholds)
            object.__setattr__(self, "_plan", plan)
        return plan

    def total(
        self, subject: Any, *, at: datetime, context: Mapping[str, Any] | None = None
    ) -> float:
        """Compute only the total (no breakdown): the fast path for ranking many leads.

        Args:
            subject: A lead, any object, or a mapping.
            at: The scoring time (aware); records dated after it are ignored.
            context: Related data (``interactions`` …) by name.

        Returns:
            The same number as ``score(model, subject, at=at).total``.

        Raises:
            ValidationError: ``at`` is naive.
        """
        if at.__class__ is not datetime or at.tzinfo is not UTC:  # UTC: aware, checked fast
            ensure_aware(at, "at")
        plan = self._plan or self._compiled()
        if plan.reads_records:
            subject, context = _as_of(subject, at), _as_of(context, at)
        simple = plan.simple
        if simple is not None:
            return simple(subject, at, context)
        sums = [0.0] * len(self.groups)
        for row in plan.rows:
            sums[row[2]] += _row_points(row, subject, at, context)[0]
        return _clamp(sum(_clamped_groups(self.groups, sums)), self.floor, self.cap)


def _items(c: Checker, value: Any, kind: type, path: str) -> tuple[Any, ...]:
    if not isinstance(value, tuple):
        c.add(path, value, "must be a sequence")
        return ()
    c.keyed(value, kind, path)
    return tuple(item for item in value if isinstance(item, kind))


def _clamp(value: float, floor: float | None, cap: float | None) -> float:
    if cap is not None and value > cap:
        value = cap
    if floor is not None and value < floor:
        value = floor
    return value


def _clamped_groups(groups: tuple[ScoreGroup, ...], sums: list[float]) -> list[float]:
    return [_clamp(s, g.floor, g.cap) for g, s in zip(groups, sums, strict=True)]


def _age(value: Any, at: datetime) -> timedelta | None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    return at - value


def _row_points(
    row: _Row, subject: Any, at: datetime, context: Mapping[str, Any] | None
) -> tuple[float, float, int, Truth]:
    """Points of one criterion: (after decay, before decay, matches, truth)."""
    fn, points, _, decay, relation, age_field, needs_at = row
    if relation is None:
        truth = fn(subject, at if needs_at else None, context)
        if truth is not _TRUE:
            return 0.0, 0.0, 0, truth
        if decay is None:
            return points, points, 1, truth
        age = _age(lookup(subject, age_field, context), at)
        if age is None:
            return 0.0, points, 1, Truth.UNKNOWN
        if age < _ZERO:  # dated after ``at``: it has not happened yet
            return 0.0, 0.0, 0, _FALSE
        return points * decay(age), points, 1, truth
    records = lookup(subject, ".".join(relation), context)
    if records is None or isinstance(records, str | bytes | Mapping):
        return 0.0, 0.0, 0, Truth.UNKNOWN
    if not isinstance(records, Iterable):
        return 0.0, 0.0, 0, Truth.UNKNOWN
    after = 0.0
    n = 0
    when = at if needs_at else None
    for record in records:
        if _after(record, at) or fn(record, when, context) is not _TRUE:
            continue
        n += 1
        if decay is None:
            after += points
        else:
            age = _age(lookup(record, age_field, None), at)
            if age is not None:
                after += points * decay(age)
    return after, points * n, n, Truth.TRUE if n else Truth.FALSE


def _after(record: Any, at: datetime) -> bool:
    """Whether a record is dated (its ``at``) after ``at``."""
    when = record.get("at") if isinstance(record, Mapping) else getattr(record, "at", None)
    return isinstance(when, datetime) and when.tzinfo is not None and when > at


def _as_of(data: Any, at: datetime) -> Any:
    """``data`` (a mapping of relations) without the records dated after ``at``.

    Each tuple or list value loses its records whose ``at`` is after ``at``;
    ``data`` itself is returned when nothing is dropped (or it is no mapping).
    """
    if not isinstance(data, Mapping):
        return data
    changed: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, tuple | list) and any(_after(r, at) for r in value):
            changed[name] = tuple(r for r in value if not _after(r, at))
    if not changed:
        return data
    return {**data, **changed}


def _operand_counts(operand: Operand) -> bool:
    while is_call(operand):
        operand = operand.operand
    return is_count(operand)


def _reads_records(rule: Rule) -> bool:
    """Whether ``rule`` counts related records anywhere."""
    return any(_operand_counts(o) for o in rule._operands()) or any(
        _reads_records(r) for r in rule._rules()
    )


def _generate_total(model: ScoreModel) -> Callable[[Any, datetime, Any], float]:
    """One generated function for the whole model's total (no decay, no per-record criteria).

    Each criterion's test is emitted inline by the rule compiler's generator
    (so it has the same semantics as the criterion's compiled rule: only
    TRUE adds points), then the groups and the total are clamped. This
    avoids a call and a :class:`Truth` per criterion.
    """
    gen = _Generator()
    lines = ["def _total(subject, at, context):"]
    if any(c.rule.needs_at for c in model.criteria):
        lines.append("    _check_at(at)")
    index = {g.key: i for i, g in enumerate(model.groups)}
    lines.extend(f"    s{i} = 0.0" for i in range(len(model.groups)))
    for branch, on_dict in (("    if subject.__class__ is _dict:", True), ("    else:", False)):
        lines.append(branch)
        for crit in model.criteria:
            add = f"s{index[crit.group]} += {gen.const(crit.points, '_n')}"
            gen.test(crit.rule, lines, 2, (add, "pass", "pass"), on_dict=on_dict)
        lines.append("        pass")

    def clamp(var: str, floor: float | None, cap: float | None) -> None:
        if cap is not None:
            lines.append(f"    if {var} > {gen.const(cap, '_n')}: {var} = {gen.const(cap, '_n')}")
        if floor is not None:
            bound = gen.const(floor, "_n")
            lines.append(f"    if {var} < {bound}: {var} = {bound}")

    for i, group in enumerate(model.groups):
        clamp(f"s{i}", group.floor, group.cap)
    lines.append("    t = 0" + "".join(f" + s{i}" for i in range(len(model.groups))))
    clamp("t", model.floor, model.cap)
    lines.append("    return t")
    gen.blocks.append("\n".join(lines))
    names = {placeholder: name for name, placeholder in gen.attributes.items()}
    source = "\n\n".join(gen.blocks) + "\n"
    code = _rename(compile(source, "<salescore score model>", "exec"), names)
    exec(code, gen.ns)  # no rule text enters the source (see salescore.rules._compile)
    fn: Callable[[Any, datetime, Any], float] = gen.ns["_total"]
    return fn


# --------------------------------------------------------------------------- results


@attrs.frozen(kw_only=True)
class CriterionScore:
    """One criterion's line in a score breakdown.

    Attributes:
        key: The criterion.
        group: Its group.
        result: The rule's answer (with ``per_record``: TRUE when at least
            one record matched, UNKNOWN when the records were missing).
        matches: 1 (or the number of matching records) when it gave points.
        points_before_decay: ``points × matches``.
        points: After decay (what the group received; 0 when UNKNOWN).
        missing_fields: What left it UNKNOWN (empty otherwise).
    """

    key: str
    group: str
    result: Truth
    matches: int
    points_before_decay: float
    points: float
    missing_fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        mark = {Truth.TRUE: "✓", Truth.FALSE: "✗", Truth.UNKNOWN: "?"}[self.result]
        text = f"{mark} {self.key} [{self.group}]: {self.points:+g}"
        if self.points != self.points_before_decay:
            text += f" (before decay {self.points_before_decay:+g})"
        if self.matches > 1:
            text += f" from {self.matches} records"
        if self.missing_fields:
            text += f" — unknown: {', '.join(self.missing_fields)}"
        return text


@attrs.frozen(kw_only=True)
class GroupScore:
    """A group's points before and after its cap.

    Attributes:
        key: The group.
        raw: The sum of its criteria's points.
        points: ``raw`` clamped to the group's floor and cap.
    """

    key: str
    raw: float
    points: float

    @property
    def capped(self) -> bool:
        """Whether the group's cap or floor changed its points."""
        return self.raw != self.points


@attrs.frozen(kw_only=True)
class ScoreResult:
    """A score with its breakdown: every criterion, every group, the caps.

    Attributes:
        model: The model's key.
        at: When it was scored.
        total: The final score.
        raw_total: The sum of the (capped) groups, before the total's cap.
        groups: Each group's points before and after its cap.
        criteria: Each criterion's line, in the model's order.
        thresholds_crossed: The thresholds whose score the total reaches,
            lowest first.
        unknown_fields: Every field that left a criterion UNKNOWN (those
            criteria gave no points), in order of first appearance.
    """

    model: str
    at: datetime
    total: float
    raw_total: float
    groups: tuple[GroupScore, ...]
    criteria: tuple[CriterionScore, ...]
    thresholds_crossed: tuple[Threshold, ...] = ()
    unknown_fields: tuple[str, ...] = ()

    @property
    def capped(self) -> bool:
        """Whether the total's cap or floor changed it."""
        return self.total != self.raw_total

    @property
    def stage(self) -> str | None:
        """The lifecycle stage of the highest crossed threshold that has one."""
        for threshold in reversed(self.thresholds_crossed):
            if threshold.stage is not None:
                return threshold.stage
        return None

    def line(self, key: str) -> CriterionScore:
        """Return a criterion's line by key.

        Raises:
            NotFound: No such criterion.
        """
        return by_key(self.criteria, key, f"the score of model {self.model!r} has no criterion")

    def group(self, key: str) -> GroupScore:
        """Return a group's score by key.

        Raises:
            NotFound: No such group.
        """
        return by_key(self.groups, key, f"the score of model {self.model!r} has no group")

    def lines(self) -> list[str]:
        """A readable breakdown: criteria that mattered, groups, total, thresholds."""
        out = [str(c) for c in self.criteria if c.result is not Truth.FALSE]
        for g in self.groups:
            cap = f" (capped from {g.raw:g})" if g.capped else ""
            out.append(f"{g.key}: {g.points:g}{cap}")
        cap = f" (capped from {self.raw_total:g})" if self.capped else ""
        out.append(f"total: {self.total:g}{cap}")
        if self.thresholds_crossed:
            out.append("thresholds: " + ", ".join(t.key for t in self.thresholds_crossed))
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _fixed_line(c: Criterion, *, matched: bool) -> CriterionScore:
    """The line of a criterion without decay that matched once, or not at all."""
    points = c.points if matched else 0.0
    return CriterionScore(
        key=c.key,
        group=c.group,
        result=Truth.TRUE if matched else Truth.FALSE,
        matches=1 if matched else 0,
        points_before_decay=points,
        points=points,
    )


def score(
    model: ScoreModel,
    subject: Any,
    *,
    at: datetime,
    context: Mapping[str, Any] | None = None,
) -> ScoreResult:
    """Score a subject and explain the score.

    Args:
        model: The score model.
        subject: A lead, any object, or a mapping.
        at: The scoring time (aware): decay and recency rules are measured
            from it, and related records dated after it (their ``at``) are
            ignored, in ``context`` and in a mapping subject alike.
        context: Related data by name (``interactions``, ``account`` …).

    Returns:
        The :class:`ScoreResult` with its breakdown.

    Raises:
        ValidationError: ``at`` is naive, ``model`` is no score model, or
            ``context`` is no mapping.
    """
    ensure_aware(at, "at")
    if not isinstance(model, ScoreModel):
        raise ValidationError.single("model", model, "must be a ScoreModel")
    check_mapping(context, "context", "names to data", optional=True)
    plan = model._compiled()
    if plan.reads_records:
        subject, context = _as_of(subject, at), _as_of(context, at)
    sums = [0.0] * len(model.groups)
    lines: list[CriterionScore] = []
    unknown: dict[str, None] = {}
    groups = model.groups
    false_lines = plan.false_lines
    true_lines = plan.true_lines
    criteria = model.criteria
    for i, row in enumerate(plan.rows):
        fn, points, g, decay, relation, _, needs_at = row
        if decay is None and relation is None:
            # The common case, inlined: a plain rule, fixed points.
            truth = fn(subject, at if needs_at else None, context)
            if truth is _TRUE:
                sums[g] += points
                lines.append(true_lines[i])  # type: ignore[arg-type]
                continue
            if truth is _FALSE:
                lines.append(false_lines[i])
                continue
            after = before = 0.0
            n = 0
        else:
            after, before, n, truth = _row_points(row, subject, at, context)
            sums[g] += after
        line: CriterionScore
        if truth is _FALSE:
            line = false_lines[i]
        else:
            crit = criteria[i]
            missing: tuple[str, ...] = ()
            if truth is Truth.UNKNOWN:
                missing = _criterion_missing(crit, subject, at, context)
                for f in missing:
                    unknown.setdefault(f, None)
            line = CriterionScore(
                key=crit.key,
                group=crit.group,
                result=truth,
                matches=n,
                points_before_decay=before,
                points=after,
                missing_fields=missing,
            )
        lines.append(line)
    clamped = _clamped_groups(groups, sums)
    raw_total = sum(clamped)
    total = _clamp(raw_total, model.floor, model.cap)
    # Filtering the thresholds sorted by score keeps them sorted (the sort is stable).
    crossed = tuple([t for t in plan.thresholds if total >= t.score])
    scored = tuple(
        [_new_group_score(g.key, s, p) for g, s, p in zip(groups, sums, clamped, strict=True)]
    )
    # Every value is built here, in its final form: with ``at`` in UTC the
    # result is exactly what the constructor (which moves ``at`` to UTC) makes.
    build = _new_score_result if type(at) is datetime and at.tzinfo is UTC else ScoreResult
    return build(
        model=model.key,
        at=at,
        total=total,
        raw_total=raw_total,
        groups=scored,
        criteria=tuple(lines),
        thresholds_crossed=crossed,
        unknown_fields=tuple(unknown),
    )


_new_score_result: Final = slot_builder(ScoreResult)
_new_group_score: Final = slot_builder(GroupScore)


def _criterion_missing(
    crit: Criterion, subject: Any, at: datetime, context: Mapping[str, Any] | None
) -> tuple[str, ...]:
    if crit.per_record is not None:
        return (crit.per_record,)
    found = missing_fields(crit.rule, subject, at, context)
    if found:
        return found
    # The rule held but the age that decay needs is missing.
    return (crit.age_field,)


# --------------------------------------------------------------------------- applying


class _Positions(Protocol):
    def position(self, key: str) -> int: ...

    def __contains__(self, key: object) -> bool: ...


L = TypeVar("L", bound="ScoredLead")


class ScoredLead(Protocol):
    """What :func:`apply_score` needs of a lead (``salescore.Lead`` has it all)."""

    @property
    def score(self) -> float:
        """The recorded score."""

    @property
    def lifecycle_stage(self) -> str:
        """The current lifecycle stage."""

    def funnel(self, key: str) -> Any:
        """The funnel of that key (it has ``position`` and ``in``)."""

    def set_score(
        self, score: float, *, at: datetime, actor: str, reason: str | None = None
    ) -> Self:
        """Record a new score."""

    def set_lifecycle_stage(
        self, stage: str, *, at: datetime, actor: str, reason: str | None = None
    ) -> Self:
        """Move in the lifecycle funnel."""


def apply_score(lead: L, result: ScoreResult, *, at: datetime, actor: str) -> L:
    """Record a score on a lead and move its lifecycle stage forward if a threshold says so.

    The score is recorded with ``lead.set_score`` (one ``FieldsChanged``,
    nothing if it is unchanged). Then, if the highest crossed threshold with a
    stage names a lifecycle stage *after* the lead's current one, the lead
    moves there with ``lead.set_lifecycle_stage`` (one ``StageChanged`` whose
    reason names the threshold and the score). A lead is never moved
    backwards: a lower score leaves its stage alone, and so does a stage
    that is not in the lead's lifecycle funnel.

    Args:
        lead: A :class:`~salescore.Lead` (or anything shaped like one).
        result: The result of :func:`score`.
        at: When the change is recorded (not before the lead's last event).
        actor: Who or what records it (``"scoring"``).

    Returns:
        The lead with zero, one or two more events.

    Raises:
        ValidationError: A bad ``at`` or ``actor``.
        TransitionError: The lead's funnel refuses the move.
    """
    reason = f"score model '{result.model}'"
    if type(lead) is Lead and type(result) is ScoreResult and lead.score != result.total:
        # A lead's score does not bear on its lifecycle stage: the move is found first,
        # and the lead records both changes at once.
        move = _stage_move(lead, result)
        if move is not None:
            scored = cast(Lead, lead)._scored(
                result.total, move[0], at=at, actor=actor, reason=reason, why=move[1]
            )
            return cast(L, scored)
    if lead.score != result.total:
        lead = lead.set_score(result.total, at=at, actor=actor, reason=reason)
    move = _stage_move(lead, result)
    if move is None:
        return lead
    return lead.set_lifecycle_stage(move[0], at=at, actor=actor, reason=move[1])


def _stage_move(lead: ScoredLead, result: ScoreResult) -> tuple[str, str] | None:
    """The lifecycle stage ``result`` moves ``lead`` forward to, and why (``None``: none)."""
    target = None
    for threshold in reversed(result.thresholds_crossed):
        if threshold.stage is not None:
            target = threshold
            break
    if target is None or target.stage is None:
        return None
    funnel: _Positions = lead.funnel("lifecycle")
    current = lead.lifecycle_stage
    if target.stage not in funnel or current not in funnel:
        return None
    if funnel.position(target.stage) <= funnel.position(current):
        return None
    why = (
        f"score {result.total:g} reached '{target.key}' ({target.score:g}) "
        f"in score model '{result.model}'"
    )
    return target.stage, why


for _document_type in (
    HalfLife,
    Step,
    StepDecay,
    Criterion,
    ScoreGroup,
    Threshold,
    ScoreModel,
    CriterionScore,
    GroupScore,
    ScoreResult,
):
    _register_type(_document_type)
