"""Qualification frameworks: BANT, CHAMP, ANUM, GPCTBA/C&I, MEDDIC, MEDDPICC, your own.

A :class:`Framework` is a checklist of items, each answered by a rule over
the subject's fields or by a rep; :func:`assess` gives a verdict that says
why. Guide: :doc:`/qualification`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

import attrs

from salescore._validation import (
    Checker,
    as_tuple,
    check_collection,
    check_mapping,
    ensure_aware,
    is_aware,
    label_of,
    line_ok,
)
from salescore.decisions._evaluation import by_key, check_subject, seen_values
from salescore.domain.custom_fields import CustomField, CustomFieldSchema, FieldType
from salescore.errors import FieldError, ValidationError
from salescore.rules._nodes import Rule
from salescore.rules._parser import parse
from salescore.rules._truth import Truth
from salescore.serialization import register_type as _register_type

__all__ = [
    "ANUM",
    "BANT",
    "CHAMP",
    "FRAMEWORKS",
    "GPCTBA_CI",
    "MEDDIC",
    "MEDDPICC",
    "QUALIFICATION_FIELDS",
    "Framework",
    "FrameworkItem",
    "ItemResult",
    "ItemStatus",
    "QualificationVerdict",
    "RepAnswer",
    "Verdict",
    "assess",
]


class ItemStatus(enum.StrEnum):
    """Where one checklist item stands."""

    CONFIRMED = "confirmed"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"
    DISQUALIFYING = "disqualifying"


class Verdict(enum.StrEnum):
    """The outcome of a qualification."""

    QUALIFIED = "qualified"
    DISQUALIFIED = "disqualified"
    NEEDS_INFORMATION = "needs_information"


@attrs.frozen(kw_only=True)
class FrameworkItem:
    """One checklist item: a question, and optionally rules that answer it.

    Args:
        key: Unique within the framework (``"budget"``).
        question: What the rep should find out (the open question while
            the item is unknown).
        rule: Confirms the item when TRUE (FALSE: not met); ``None`` when
            only a rep can answer it.
        disqualify_if: Makes the item disqualifying when TRUE.
        required: Whether qualifying needs it confirmed.
        label: A short name for people (defaults from the key).

    Raises:
        ValidationError: Every bad field at once.
    """

    key: str
    question: str
    rule: Rule | None = None
    disqualify_if: Rule | None = None
    required: bool = True
    label: str = ""

    def __attrs_post_init__(self) -> None:
        with Checker("FrameworkItem") as c:
            c.text(self.key, "key")
            c.text(self.question, "question")
            c.instance(self.rule, Rule, "rule", optional=True)
            c.instance(self.disqualify_if, Rule, "disqualify_if", optional=True)
            c.instance(self.required, bool, "required")
            c.text(self.label, "label", empty=True)
        if not self.label and isinstance(self.key, str):
            object.__setattr__(self, "label", label_of(self.key))


@attrs.frozen(kw_only=True, init=False)
class Framework:
    """A qualification checklist: items, and how many must be confirmed.

    Args:
        key: For example ``"bant"``.
        name: For people (``"BANT"``).
        items: The checklist, in the order it is asked.
        min_confirmed: Qualifying also needs at least this many items
            confirmed (required or not); ``None`` for no such rule.
        description: Free text.
        subject: The type the framework qualifies (``Lead``, ``Opportunity``;
            or a rule schema, or anything with ``__rule_schema__``): every
            item's rules are checked against it now, so a misspelled field is
            refused with the nearest spelling. Not stored; ``None`` checks
            nothing.

    Raises:
        ValidationError: Every bad field at once (duplicate item keys too,
            and fields the subject type does not have).
    """

    key: str
    name: str
    items: tuple[FrameworkItem, ...] = attrs.field(converter=as_tuple)
    min_confirmed: int | None = None
    description: str = ""

    def __init__(
        self,
        *,
        key: str,
        name: str,
        items: Sequence[FrameworkItem],
        min_confirmed: int | None = None,
        description: str = "",
        subject: Any = None,
    ) -> None:
        self.__attrs_init__(
            key=key, name=name, items=items, min_confirmed=min_confirmed, description=description
        )
        check_subject(
            subject,
            (
                (f"items[{i}].{name}", rule, None)
                for i, item in enumerate(self.items)
                for name, rule in (("rule", item.rule), ("disqualify_if", item.disqualify_if))
            ),
            "Framework",
        )

    def check(self, subject: Any) -> Framework:
        """Check the framework's rules against a subject type, as ``subject=`` does.

        Args:
            subject: ``Lead``, ``Opportunity``, a rule schema, or anything
                with ``__rule_schema__``.

        Returns:
            The framework itself.

        Raises:
            ValidationError: Every field the subject type does not have.
        """
        attrs.evolve(self, subject=subject)
        return self

    def __attrs_post_init__(self) -> None:
        with Checker("Framework") as c:
            c.text(self.key, "key")
            c.text(self.name, "name")
            c.text(self.description, "description", empty=True)
            if c.keyed(self.items, FrameworkItem, "items"):
                c.check(bool(self.items), "items", self.items, "needs at least one item")
            c.number(self.min_confirmed, "min_confirmed", optional=True, integer=True, minimum=0)
            if isinstance(self.min_confirmed, int) and isinstance(self.items, tuple):
                c.check(
                    self.min_confirmed <= len(self.items),
                    "min_confirmed",
                    self.min_confirmed,
                    "is more than the number of items",
                )

    def item(self, key: str) -> FrameworkItem:
        """Return an item by key.

        Raises:
            NotFound: No such item.
        """
        return by_key(self.items, key, f"framework {self.key!r} has no item")

    @property
    def fields(self) -> tuple[str, ...]:
        """Every subject field the framework's rules read, in order of first use."""
        seen: dict[str, None] = {}
        for item in self.items:
            for rule in (item.rule, item.disqualify_if):
                if rule is not None:
                    for f in rule.fields:
                        seen.setdefault(f, None)
        return tuple(seen)


def _as_status(value: Any) -> Any:
    if isinstance(value, str) and value in ItemStatus._value2member_map_:
        return ItemStatus(value)
    return value


@attrs.frozen(kw_only=True)
class RepAnswer:
    """A rep's answer to one item, and where it came from.

    Args:
        item_key: The framework item it answers.
        answer: Confirmed, not met, unknown or disqualifying.
        at: When it was given (aware).
        actor: Who gave it.
        note: What was said (``"CFO signs above 50k"``).
        interaction_id: The call, meeting or email it came from, if any.

    Raises:
        ValidationError: Every bad field at once.
    """

    item_key: str
    answer: ItemStatus = attrs.field(converter=_as_status)
    at: datetime
    actor: str
    note: str = ""
    interaction_id: str | None = None

    def __attrs_post_init__(self) -> None:
        note, interaction_id = self.note, self.interaction_id
        if (
            type(self.item_key) is str
            and line_ok(self.item_key)
            and type(self.answer) is ItemStatus
            and is_aware(self.at)
            and type(self.actor) is str
            and line_ok(self.actor)
            and type(note) is str
            and (not note or note.isprintable())
            and (
                interaction_id is None or (type(interaction_id) is str and line_ok(interaction_id))
            )
        ):
            return  # the common case: every check of ``_check`` would pass
        self._check()

    def _check(self) -> None:
        """Check every field in detail, reporting every problem at once."""
        with Checker("RepAnswer") as c:
            c.text(self.item_key, "item_key")
            c.check(
                isinstance(self.answer, ItemStatus),
                "answer",
                self.answer,
                "must be confirmed, not_met, unknown or disqualifying",
            )
            c.aware(self.at, "at")
            c.text(self.actor, "actor")
            c.text(self.note, "note", empty=True)
            c.text(self.interaction_id, "interaction_id", optional=True)


@attrs.frozen(kw_only=True)
class ItemResult:
    """How one item was settled, and on what evidence.

    Attributes:
        key: The item.
        label: Its short name.
        question: Its question.
        required: Whether qualifying needs it.
        status: Confirmed, not met, unknown or disqualifying.
        source: ``"answer"`` (a rep answer decided), ``"disqualify_if"``,
            ``"rule"`` or ``"none"`` (nothing to decide it).
        evidence: The field values the deciding rule saw, by field path.
        missing_fields: The fields that left the rule UNKNOWN.
        answer: The deciding rep answer, if any.
        reason: One sentence for people.
    """

    key: str
    label: str
    question: str
    required: bool
    status: ItemStatus
    source: str
    evidence: Mapping[str, Any] = attrs.field(factory=dict)
    missing_fields: tuple[str, ...] = ()
    answer: RepAnswer | None = None
    reason: str = ""

    @property
    def interaction_id(self) -> str | None:
        """The interaction the deciding answer came from, if any."""
        return None if self.answer is None else self.answer.interaction_id


@attrs.frozen(kw_only=True)
class QualificationVerdict:
    """The outcome of :func:`assess`, with its reasons and open questions.

    Attributes:
        framework: The framework's key.
        verdict: Qualified, disqualified or needs information.
        items: Every item's result, in framework order.
        reasons: Why the verdict is what it is, one sentence each.
        open_questions: The questions of the unknown items.
        missing_fields: The fields whose absence left items unknown.
        at: When it was assessed, if given.
    """

    framework: str
    verdict: Verdict
    items: tuple[ItemResult, ...]
    reasons: tuple[str, ...]
    open_questions: tuple[str, ...]
    missing_fields: tuple[str, ...]
    at: datetime | None = None

    def item(self, key: str) -> ItemResult:
        """Return an item's result by key.

        Raises:
            NotFound: No such item.
        """
        return by_key(self.items, key, f"the verdict of framework {self.framework!r} has no item")

    def with_status(self, status: ItemStatus | str) -> tuple[str, ...]:
        """The keys of the items with this status."""
        return tuple(i.key for i in self.items if i.status == status)

    def lines(self) -> list[str]:
        """A readable summary: the verdict, each item, the open questions."""
        marks = {
            ItemStatus.CONFIRMED: "✓",
            ItemStatus.NOT_MET: "✗",
            ItemStatus.UNKNOWN: "?",
            ItemStatus.DISQUALIFYING: "⛔",
        }
        out = [f"{self.framework}: {self.verdict.value.replace('_', ' ')}"]
        out.extend(f"  {marks[i.status]} {i.reason}" for i in self.items)
        out.extend(f"  ask: {q}" for q in self.open_questions)
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _latest_answers(
    framework: Framework, answers: Iterable[RepAnswer], at: datetime | None
) -> dict[str, RepAnswer]:
    keys = {item.key for item in framework.items}
    latest: dict[str, RepAnswer] = {}
    errors: list[FieldError] = []
    for i, ans in enumerate(answers):
        if not isinstance(ans, RepAnswer):
            errors.append(FieldError(f"answers[{i}]", ans, "must be a RepAnswer"))
            continue
        if ans.item_key not in keys:
            errors.append(
                FieldError(
                    f"answers[{i}].item_key",
                    ans.item_key,
                    f"is not an item of framework {framework.key!r}",
                )
            )
            continue
        if at is not None and ans.at > at:  # not given yet at the time of the verdict
            continue
        before = latest.get(ans.item_key)
        if before is None or ans.at >= before.at:
            latest[ans.item_key] = ans
    if errors:
        raise ValidationError(errors, "assess")
    return latest


def _shown(evidence: Mapping[str, Any]) -> str:
    if not evidence:
        return ""
    return "; " + ", ".join(f"{k} = {v!r}" for k, v in evidence.items())


def _settle(
    item: FrameworkItem,
    answer: RepAnswer | None,
    subject: Any,
    at: datetime | None,
    context: Mapping[str, Any] | None,
) -> ItemResult:
    base: dict[str, Any] = {
        "key": item.key,
        "label": item.label,
        "question": item.question,
        "required": item.required,
    }

    def ruled(
        status: ItemStatus, source: str, evidence: Mapping[str, Any], detail: str
    ) -> ItemResult:
        return ItemResult(
            **base,
            status=status,
            source=source,
            evidence=evidence,
            reason=f"{item.label}: {detail}",
        )

    if answer is not None:
        where = f" in interaction {answer.interaction_id}" if answer.interaction_id else ""
        note = f": {answer.note}" if answer.note else ""
        words = answer.answer.value.replace("_", " ")
        return ItemResult(
            **base,
            status=answer.answer,
            source="answer",
            answer=answer,
            reason=f"{item.label}: {words} by {answer.actor} on "
            f"{answer.at.date().isoformat()}{where}{note}",
        )
    if item.disqualify_if is not None:
        why = item.disqualify_if.explain(subject, at, context)
        if why.result is Truth.TRUE:
            evidence = seen_values(why)
            rule = item.disqualify_if.to_text()
            return ruled(
                ItemStatus.DISQUALIFYING,
                "disqualify_if",
                evidence,
                f"disqualifying ({rule}{_shown(evidence)})",
            )
    if item.rule is None:
        return ItemResult(
            **base,
            status=ItemStatus.UNKNOWN,
            source="none",
            reason=f"{item.label}: unknown (no answer yet)",
        )
    ex = item.rule.explain(subject, at, context)
    evidence = seen_values(ex)
    text = item.rule.to_text()
    if ex.result is not Truth.UNKNOWN:
        status, verdict = (
            (ItemStatus.CONFIRMED, "confirmed")
            if ex.result is Truth.TRUE
            else (ItemStatus.NOT_MET, "not met")
        )
        return ruled(status, "rule", evidence, f"{verdict} ({text}{_shown(evidence)})")
    missing = ex.missing_fields
    return ItemResult(
        **base,
        status=ItemStatus.UNKNOWN,
        source="rule",
        evidence=evidence,
        missing_fields=missing,
        reason=f"{item.label}: unknown ({text}; missing {', '.join(missing)})",
    )


def assess(
    framework: Framework,
    subject: Any,
    *,
    answers: Iterable[RepAnswer] = (),
    at: datetime | None = None,
    context: Mapping[str, Any] | None = None,
) -> QualificationVerdict:
    """Work through a framework's checklist for a subject.

    Args:
        framework: The checklist.
        subject: A lead, contact, opportunity … or a mapping.
        answers: The reps' answers; for each item the latest decides it and
            overrides the item's rules. With ``at``, answers dated after it
            are left out (not given yet then), so a verdict as of last week
            is last week's verdict.
        at: When (aware); needed when the rules use ``now`` or ``within``.
        context: Related data for the rules (``interactions`` …).

    Returns:
        The :class:`QualificationVerdict`.

    Raises:
        ValidationError: A naive ``at``, no framework, answers that are not
            rep answers or answer an item the framework does not have, a
            ``context`` that is no mapping, or a rule that needs ``at``
            without it.
    """
    if at is not None:
        ensure_aware(at, "at")
    if not isinstance(framework, Framework):
        raise ValidationError.single("framework", framework, "must be a Framework")
    check_collection(answers, "answers", "RepAnswer")
    check_mapping(context, "context", "names to data", optional=True)
    latest = _latest_answers(framework, answers, at)
    results = tuple(
        _settle(item, latest.get(item.key), subject, at, context) for item in framework.items
    )
    disqualifying = [r for r in results if r.status is ItemStatus.DISQUALIFYING]
    confirmed = sum(1 for r in results if r.status is ItemStatus.CONFIRMED)
    open_required = [r for r in results if r.required and r.status is not ItemStatus.CONFIRMED]
    reasons: list[str]
    if disqualifying:
        verdict = Verdict.DISQUALIFIED
        reasons = [r.reason for r in disqualifying]
    elif not open_required and (
        framework.min_confirmed is None or confirmed >= framework.min_confirmed
    ):
        verdict = Verdict.QUALIFIED
        reasons = [r.reason for r in results if r.status is ItemStatus.CONFIRMED]
    else:
        verdict = Verdict.NEEDS_INFORMATION
        reasons = [r.reason for r in open_required]
        if framework.min_confirmed is not None and confirmed < framework.min_confirmed:
            reasons.append(
                f"{confirmed} of {len(results)} items confirmed; "
                f"{framework.min_confirmed} are needed"
            )
    missing: dict[str, None] = {}
    for r in results:
        if r.status is ItemStatus.UNKNOWN:
            for f in r.missing_fields:
                missing.setdefault(f, None)
    return QualificationVerdict(
        framework=framework.key,
        verdict=verdict,
        items=results,
        reasons=tuple(reasons),
        open_questions=tuple(r.question for r in results if r.status is ItemStatus.UNKNOWN),
        missing_fields=tuple(missing),
        at=at,
    )


# --------------------------------------------------------------------------- ready-made


def _item(key: str, question: str, rule: str | None, label: str = "") -> FrameworkItem:
    return FrameworkItem(
        key=key, question=question, rule=None if rule is None else parse(rule), label=label
    )


def _flag(name: str, label: str) -> CustomField:
    return CustomField(name=name, type=FieldType.FLAG, label=label)


#: The custom fields the ready-made frameworks read (``custom.<name>``): give
#: it as ``schema=`` to ``Lead.new`` or ``Opportunity.open`` to validate the
#: values, or to ``Lead.__rule_schema__`` to check rules against it.
QUALIFICATION_FIELDS: Final = CustomFieldSchema(
    fields=(
        CustomField(name="budget", type=FieldType.NUMBER, label="Budget"),
        CustomField(name="timeline_days", type=FieldType.NUMBER, label="Days until purchase"),
        CustomField(
            name="priority",
            type=FieldType.CHOICE,
            label="Priority",
            choices=("low", "medium", "high", "critical"),
        ),
        _flag("decision_maker_identified", "Decision maker identified"),
        _flag("need_identified", "Need identified"),
        _flag("challenges_identified", "Challenges identified"),
        _flag("goals_identified", "Goals identified"),
        _flag("plans_identified", "Plans identified"),
        _flag("consequences_identified", "Negative consequences identified"),
        _flag("implications_identified", "Positive implications identified"),
        _flag("metrics_identified", "Metrics identified"),
        _flag("economic_buyer_identified", "Economic buyer identified"),
        _flag("decision_criteria_known", "Decision criteria known"),
        _flag("decision_process_known", "Decision process known"),
        _flag("paper_process_known", "Paper process known"),
        _flag("pain_identified", "Pain identified"),
        _flag("champion_identified", "Champion identified"),
        _flag("competition_known", "Competition known"),
    )
)

_BUDGET: Final = "custom.budget > 0"
_AUTHORITY: Final = "custom.decision_maker_identified == true"

#: BANT (IBM): Budget, Authority, Need, Timeline.
BANT: Final = Framework(
    key="bant",
    name="BANT",
    description="Budget, Authority, Need, Timeline.",
    items=(
        _item("budget", "Is there a budget for this, and how much?", _BUDGET),
        _item(
            "authority", "Who makes the buying decision, and are we talking to them?", _AUTHORITY
        ),
        _item("need", "What problem does this solve for them?", "custom.need_identified == true"),
        _item("timeline", "When do they intend to buy?", "custom.timeline_days <= 180"),
    ),
)

#: CHAMP: Challenges, Authority, Money, Prioritization.
CHAMP: Final = Framework(
    key="champ",
    name="CHAMP",
    description="Challenges, Authority, Money, Prioritization.",
    items=(
        _item(
            "challenges",
            "What challenges are they trying to overcome?",
            "custom.challenges_identified == true",
        ),
        _item("authority", "Who decides, and who else has a say?", _AUTHORITY),
        _item("money", "Is there money for this?", _BUDGET),
        _item(
            "prioritization",
            "How high is this on their list of priorities?",
            "custom.priority in ['high', 'critical']",
        ),
    ),
)

#: ANUM: Authority, Need, Urgency, Money.
ANUM: Final = Framework(
    key="anum",
    name="ANUM",
    description="Authority, Need, Urgency, Money.",
    items=(
        _item("authority", "Are we talking to someone who can decide?", _AUTHORITY),
        _item("need", "Do they have a real need for this?", "custom.need_identified == true"),
        _item("urgency", "How soon must they solve it?", "custom.timeline_days <= 90"),
        _item("money", "Can they pay for it?", _BUDGET),
    ),
)

#: GPCTBA/C&I (HubSpot): Goals, Plans, Challenges, Timeline, Budget, Authority,
#: negative Consequences and positive Implications.
GPCTBA_CI: Final = Framework(
    key="gpctba_ci",
    name="GPCTBA/C&I",
    description="Goals, Plans, Challenges, Timeline, Budget, Authority, "
    "negative Consequences and positive Implications.",
    items=(
        _item("goals", "What goals are they trying to reach?", "custom.goals_identified == true"),
        _item("plans", "What are their plans to reach them?", "custom.plans_identified == true"),
        _item("challenges", "What stands in the way?", "custom.challenges_identified == true"),
        _item("timeline", "When must they get there?", "custom.timeline_days <= 180"),
        _item("budget", "What budget do they have?", _BUDGET),
        _item("authority", "Who decides?", _AUTHORITY),
        _item(
            "consequences",
            "What happens if they do nothing?",
            "custom.consequences_identified == true",
            "Negative consequences",
        ),
        _item(
            "implications",
            "What changes for them if they succeed?",
            "custom.implications_identified == true",
            "Positive implications",
        ),
    ),
)

_MEDDIC_ITEMS: Final = (
    _item("metrics", "What measurable gain do they expect?", "custom.metrics_identified == true"),
    _item(
        "economic_buyer",
        "Who controls the money, and have we met them?",
        "custom.economic_buyer_identified == true",
    ),
    _item(
        "decision_criteria",
        "How will they judge the options?",
        "custom.decision_criteria_known == true",
    ),
    _item(
        "decision_process",
        "What steps and people lead to a decision?",
        "custom.decision_process_known == true",
    ),
    _item(
        "identify_pain",
        "What pain makes this worth solving now?",
        "custom.pain_identified == true",
        "Identified pain",
    ),
    _item(
        "champion",
        "Who inside sells for us when we are not there?",
        "custom.champion_identified == true",
    ),
)

#: MEDDIC: Metrics, Economic buyer, Decision criteria, Decision process,
#: Identify pain, Champion.
MEDDIC: Final = Framework(
    key="meddic",
    name="MEDDIC",
    description="Metrics, Economic buyer, Decision criteria, Decision process, "
    "Identify pain, Champion.",
    items=_MEDDIC_ITEMS,
)

#: MEDDPICC: MEDDIC plus Paper process and Competition.
MEDDPICC: Final = Framework(
    key="meddpicc",
    name="MEDDPICC",
    description="Metrics, Economic buyer, Decision criteria, Decision process, "
    "Paper process, Identify pain, Champion, Competition.",
    items=(
        *_MEDDIC_ITEMS[:4],
        _item(
            "paper_process",
            "How do contracts get signed: legal, procurement, security?",
            "custom.paper_process_known == true",
        ),
        *_MEDDIC_ITEMS[4:],
        _item("competition", "Who else are they considering?", "custom.competition_known == true"),
    ),
)

#: The ready-made frameworks by key.
FRAMEWORKS: Final[Mapping[str, Framework]] = MappingProxyType(
    {f.key: f for f in (BANT, CHAMP, ANUM, GPCTBA_CI, MEDDIC, MEDDPICC)}
)


for _document_type in (FrameworkItem, Framework, RepAnswer, ItemResult, QualificationVerdict):
    _register_type(_document_type)
