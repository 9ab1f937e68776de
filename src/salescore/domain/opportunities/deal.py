"""The deal aggregate, :class:`Opportunity`: stages, closing, overrides, amounts.

Guide: :doc:`/opportunities`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, ClassVar, Final, Self

import attrs

from salescore._validation import Checker, fail, is_aware, line_ok
from salescore.domain import _fields as fld
from salescore.domain import standard_funnels as funnels
from salescore.domain._normalize import _lines_ok
from salescore.domain._rule_schemas import INTERACTION_RECORDS, RuleSchemaHook
from salescore.domain.aggregate import Aggregate, Fields, FieldSpec, _Copier
from salescore.domain.custom_fields import CustomFieldSchema
from salescore.domain.events import Event, StageChanged
from salescore.domain.leads import LeadSource
from salescore.domain.opportunities._amounts import check_line_currency as _check_line_currency
from salescore.domain.opportunities._amounts import check_money as _check_money
from salescore.domain.opportunities._amounts import line_tuple as _line_tuple
from salescore.domain.opportunities._amounts import lines as _lines
from salescore.domain.opportunities.events import (
    ForecastCategoryOverridden,
    LineItemAdded,
    LineItemRemoved,
    LineItemsReplaced,
    OpportunityClosed,
    OpportunityCreated,
    OpportunityReopened,
    ProbabilityOverridden,
)
from salescore.domain.opportunities.fields import (
    ContactRole,
    OpportunityType,
    _category,
    _competitors,
    _flag,
    _opt_aware,
    _opt_months,
    _probability,
    _roles,
    _source,
    _type,
)
from salescore.domain.products import LineItem, line_items_total
from salescore.domain.stages import ForecastCategory, Funnel, Stage, StageKind
from salescore.errors import TransitionError, ValidationError
from salescore.money import Money
from salescore.serialization import register_type

__all__ = ["Opportunity"]


def _defaults(stage: Stage) -> tuple[float, ForecastCategory]:
    if stage.kind is StageKind.WON:
        return 1.0, ForecastCategory.CLOSED
    if stage.kind is StageKind.LOST:
        return 0.0, ForecastCategory.OMITTED
    probability = 0.0 if stage.probability is None else float(stage.probability)
    category = stage.forecast_category or ForecastCategory.PIPELINE
    return probability, category


#: A stage key as :meth:`~salescore._validation.Checker.text` checks it (empty allowed).
_STAGE_TEXT: Final = fld.text_field(empty=True)


def _deal_is_normal(s: Opportunity) -> bool:
    """Every field of the deal valid and normal, and the checks across fields passed.

    A cheap, strict check of the common case (no line items; empty or
    simple roles, competitors and custom values): ``False`` means only
    "check in detail", which the constructor then does.
    """
    v: Any = s.name
    if not (type(v) is str and v and _lines_ok(v)):
        return False
    if not _lines_ok(
        s.account_id,
        s.primary_contact_id,
        s.owner_id,
        s.team_id,
        s.campaign_id,
        s.next_step,
        s.won_reason,
        s.lost_reason,
    ):
        return False
    v = s.contact_roles
    if not isinstance(v, dict):
        return False
    for key, roles in v.items():
        if not (type(key) is str and key and key.strip() == key and type(roles) is frozenset):
            return False
        if not roles or not all(type(r) is ContactRole for r in roles):
            return False
    if type(s.type) is not OpportunityType or type(s.forecast_category) is not ForecastCategory:
        return False
    amount, recurring = s.amount, s.recurring
    if amount is not None and not (type(amount) is Money and amount.amount >= 0):
        return False
    if recurring is not None and not (type(recurring) is Money and recurring.amount >= 0):
        return False
    if amount is not None and recurring is not None and amount.currency != recurring.currency:
        return False
    v = s.term_months
    if v is not None and not (type(v) is int and v >= 1):
        return False
    v = s.close_date
    if v is not None and type(v) is not date:
        return False
    v = s.probability
    if not (type(v) is float and 0.0 <= v <= 1.0):
        return False
    if type(s.probability_overridden) is not bool:
        return False
    if type(s.forecast_category_overridden) is not bool:
        return False
    v = s.closed_at
    if v is not None and not is_aware(v):
        return False
    v = s.source
    if v is not None and type(v) is not LeadSource:
        return False
    v = s.custom
    if not isinstance(v, dict) or v:
        return False
    v = s.competitors
    if type(v) is not tuple or v:
        return False
    v = s.line_items
    if type(v) is not tuple or v:
        return False
    pipeline, stage = s.pipeline, s.stage
    return (
        isinstance(pipeline, Funnel)
        and type(stage) is str
        and (not stage or (stage in pipeline and line_ok(stage)))
    )


@register_type
@attrs.frozen(kw_only=True)
class Opportunity(Aggregate):
    """A deal: what is sold to whom, for how much, and how far it has come.

    Create with :meth:`new`. Every change is a method that returns a new deal
    with its events appended to ``history``; see the module docs for the
    rules on probability, closing, reopening and line items.

    Attributes:
        name: The deal's name.
        pipeline: The funnel it moves through (fixed at creation).
        stage: Its stage in ``pipeline``.
        account_id: The account buying.
        primary_contact_id: The main contact.
        contact_roles: Contact id → the roles that contact plays.
        owner_id: The owning rep.
        team_id: The owning team.
        type: New business, renewal, upsell or expansion.
        amount: The deal's value (with line items: their total).
        line_items: The products sold.
        recurring: Recurring revenue per month, for subscriptions.
        term_months: The subscription term in months.
        close_date: Expected (or, once closed, agreed) close date.
        probability: Win probability in [0, 1].
        probability_overridden: Whether ``probability`` was set by hand.
        forecast_category: Pipeline, best case, commit, closed or omitted.
        forecast_category_overridden: Whether it was set by hand.
        competitors: Competitors in the deal.
        next_step: The agreed next step.
        won_reason: Why it was won (once won).
        lost_reason: Why it was lost (required to close lost).
        closed_at: When it was closed (``None`` while open).
        source: Where the lead behind it came from, for attribution.
        campaign_id: The campaign credited with it.
        custom: Custom field values (``custom.<name>``).

    Raises:
        ValidationError: every bad field at once.
    """

    __rule_schema__: ClassVar[RuleSchemaHook] = RuleSchemaHook(interactions=INTERACTION_RECORDS)
    field_table: ClassVar[Fields] = Fields(
        {
            "name": fld.req_text,
            "account_id": fld.opt_id,
            "primary_contact_id": fld.opt_id,
            "contact_roles": _roles,
            "owner_id": fld.opt_id,
            "team_id": fld.opt_id,
            "type": _type,
            "amount": fld.opt_amount,
            "recurring": fld.opt_amount,
            "term_months": _opt_months,
            "close_date": fld.opt_date,
            "competitors": _competitors,
            "next_step": fld.opt_text,
            "campaign_id": fld.opt_id,
            "custom": fld.custom,
            "source": FieldSpec(_source, refused="is set once, when the deal is created"),
            "probability": FieldSpec(
                _probability, refused="follows the stage: use override_probability()", initial=False
            ),
            "probability_overridden": FieldSpec(
                _flag, refused="is set by override_probability()", initial=False
            ),
            "forecast_category": FieldSpec(
                _category,
                refused="follows the stage: use override_forecast_category()",
                initial=False,
            ),
            "forecast_category_overridden": FieldSpec(
                _flag, refused="is set by override_forecast_category()", initial=False
            ),
            "won_reason": FieldSpec(
                fld.opt_text, refused="is set by closing the deal won", initial=False
            ),
            "lost_reason": FieldSpec(
                fld.opt_text, refused="is set by closing the deal lost", initial=False
            ),
            "closed_at": FieldSpec(_opt_aware, refused="is set by closing the deal", initial=False),
            "pipeline": FieldSpec(
                fld.instance(Funnel), refused="is fixed when the deal is created"
            ),
            "stage": FieldSpec(
                _STAGE_TEXT,
                refused="moves through the pipeline: "
                "use move_to(), close_won(), close_lost() or reopen()",
                initial=False,
            ),
            "line_items": FieldSpec(
                _lines, refused="use add_line_item(), remove_line_item() or replace_line_items()"
            ),
        },
        created=OpportunityCreated,
        is_normal=_deal_is_normal,
    )

    name: str
    pipeline: Funnel = funnels.B2B_PIPELINE
    stage: str = ""
    account_id: str | None = None
    primary_contact_id: str | None = None
    contact_roles: Mapping[str, frozenset[ContactRole]] = attrs.field(factory=dict)
    owner_id: str | None = None
    team_id: str | None = None
    type: OpportunityType = OpportunityType.NEW_BUSINESS
    amount: Money | None = None
    line_items: tuple[LineItem, ...] = ()
    recurring: Money | None = None
    term_months: int | None = None
    close_date: date | None = None
    probability: float = 0.0
    probability_overridden: bool = False
    forecast_category: ForecastCategory = ForecastCategory.PIPELINE
    forecast_category_overridden: bool = False
    competitors: tuple[str, ...] = ()
    next_step: str | None = None
    won_reason: str | None = None
    lost_reason: str | None = None
    closed_at: datetime | None = None
    source: LeadSource | None = None
    campaign_id: str | None = None
    custom: Mapping[str, Any] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        c = Checker("Opportunity")
        try:
            super().__attrs_post_init__()
        except ValidationError as exc:
            c.errors.extend(exc.errors)
        if isinstance(self.pipeline, Funnel) and self.stage and self.stage not in self.pipeline:
            c.add("stage", self.stage, f"is not a stage of {self.pipeline.key!r}")
        if not c.errors:
            _check_money(self.amount, self.line_items, self.recurring, c)
        c.raise_if_any()

    def _evolved(self, changes: Mapping[str, Any], *, in_place: bool = False) -> Self:
        """A copy with ``changes``, built without the constructor when that changes nothing.

        A stage move, a close or an edit that leaves the pipeline and the
        money fields alone is copied slot by slot with only the changed
        fields normalised (the others are normal already, and the money
        checks across fields see the same values); a new stage is checked
        against the pipeline as the constructor checks it. Anything else,
        and any change refused, goes through the constructor, which reports
        every problem as it always has.

        ``in_place``: this object is new and held by nobody, so the changes
        may be set on it (only when they are known to be accepted: a stage
        that is text and a stage of the pipeline, or no stage change).
        """
        if _ACROSS.isdisjoint(changes) and changes.keys() <= _COPIER.setters.keys():
            stage = changes.get("stage", "")
            known = type(stage) is str and (not stage or stage in self.pipeline)
            into = self if in_place and known else None
            try:
                new: Self = _COPIER.copy(self, changes, into)
            except ValidationError:
                pass  # nothing was set; the constructor below reports every problem
            else:
                if known or not new.stage or new.stage in new.pipeline:
                    return new
        return attrs.evolve(self, **changes)

    # --- creation and replay -------------------------------------------------------

    @classmethod
    def new(
        cls,
        *,
        id: str,
        at: datetime,
        actor: str,
        name: str,
        pipeline: Funnel = funnels.B2B_PIPELINE,
        stage: str | None = None,
        account_id: str | None = None,
        primary_contact_id: str | None = None,
        contact_roles: Mapping[str, Iterable[ContactRole | str]] | None = None,
        owner_id: str | None = None,
        team_id: str | None = None,
        type: OpportunityType | str = OpportunityType.NEW_BUSINESS,
        amount: Money | None = None,
        line_items: Iterable[LineItem] = (),
        recurring: Money | None = None,
        term_months: int | None = None,
        close_date: date | None = None,
        competitors: Iterable[str] = (),
        next_step: str | None = None,
        source: LeadSource | None = None,
        campaign_id: str | None = None,
        custom: Mapping[str, Any] | None = None,
        schema: CustomFieldSchema | None = None,
    ) -> Opportunity:
        """Open a deal: :class:`OpportunityCreated` and its entry into the pipeline.

        Args:
            id: The new deal's id.
            at: When (timezone-aware).
            actor: Who or what opened it.
            name: The deal's name (required).
            pipeline: The funnel it moves through.
            stage: The open stage to start in; the pipeline's initial stage
                by default. Its entry requirements apply.
            account_id: The account.
            primary_contact_id: The main contact.
            contact_roles: Contact id → roles.
            owner_id: The owning rep.
            team_id: The owning team.
            type: What kind of business.
            amount: The value; with ``line_items`` it must equal their total
                (or be left out).
            line_items: The products sold.
            recurring: Recurring revenue per month.
            term_months: Subscription term in months.
            close_date: Expected close date.
            competitors: Competitors in the deal.
            next_step: The agreed next step.
            source: Where the lead behind it came from.
            campaign_id: The campaign credited; defaults to the source's.
            custom: Custom field values.
            schema: Validate ``custom`` against this schema.

        Returns:
            The deal, version 2.

        Raises:
            ValidationError: every bad field at once (including an amount
                that disagrees with the lines, or mixed currencies).
            TransitionError: the start stage is closed, or its entry
                requirements are not met (each one named).
        """
        given = {
            "name": name,
            "account_id": account_id,
            "primary_contact_id": primary_contact_id,
            "contact_roles": {} if contact_roles is None else contact_roles,
            "owner_id": owner_id,
            "team_id": team_id,
            "type": type,
            "amount": amount,
            "recurring": recurring,
            "term_months": term_months,
            "close_date": close_date,
            "competitors": competitors,
            "next_step": next_step,
            "source": source,
            "campaign_id": campaign_id,
            "custom": {} if custom is None else custom,
            "pipeline": pipeline,
            "line_items": line_items,
        }
        if schema is None and cls is Opportunity:
            # The common case, every value valid and normal already (no lines,
            # so the amount is the one given): built without the normalisers
            # and the constructors, as the general path below would build it.
            if campaign_id is None and source.__class__ is LeadSource:  # (``type`` is a parameter)
                given["campaign_id"] = source.campaign_id
            born = cls._normal_birth(given, id, at, actor)
            if born is not None:
                start = pipeline.initial if stage is None else str(stage)
                if start in pipeline and pipeline.is_closed(start):
                    raise TransitionError(
                        id, None, start, [f"a deal starts in an open stage, not {start!r}"]
                    )
                return cls._born(*born, [(pipeline, start)])
            given["campaign_id"] = campaign_id
        values = cls.field_table.normalise(
            given,
            subject="Opportunity",
            schema=schema,
        )
        lines = values["line_items"]
        if lines and values["amount"] is None:
            values["amount"] = line_items_total(lines)
        with Checker("Opportunity") as c:
            _check_money(values["amount"], lines, values["recurring"], c)
        if values["campaign_id"] is None and source is not None:
            values["campaign_id"] = source.campaign_id
        start = pipeline.initial if stage is None else str(stage)
        if start in pipeline and pipeline.is_closed(start):
            raise TransitionError(
                id, None, start, [f"a deal starts in an open stage, not {start!r}"]
            )
        created = OpportunityCreated(subject_id=id, at=at, actor=actor, **values)
        return cls._new(created, [(pipeline, start)])

    @classmethod
    def _created(cls, event: Event) -> Self:
        if type(event) is not OpportunityCreated:
            raise ValidationError.single(
                "history[0]",
                type(event).__name__,
                "a deal's history starts with OpportunityCreated",
            )
        return super()._created(event)

    @classmethod
    def _state_copier(cls) -> _Copier | None:
        # the cheap check covers the constructor's checks across fields too
        return _COPIER if cls is Opportunity else None

    def _stage_field(self, funnel_key: str) -> str | None:
        return "stage" if funnel_key == self.pipeline.key else None

    @classmethod
    def _fixed_fields(cls) -> frozenset[str]:
        return frozenset({*super()._fixed_fields(), "stage", "pipeline"})

    def funnel(self, key: str) -> Funnel:
        """The deal's pipeline, for its key.

        Raises:
            ValidationError: any other key.
        """
        if key == self.pipeline.key:
            return self.pipeline
        return super().funnel(key)

    def _apply(self, event: Event) -> dict[str, Any]:
        kind = type(event)
        if kind is StageChanged:
            assert isinstance(event, StageChanged)
            changes = super()._apply(event)
            probability, category = _defaults(self.pipeline.stage(event.to_stage))
            changes.update(
                probability=probability,
                probability_overridden=False,
                forecast_category=category,
                forecast_category_overridden=False,
            )
            return changes
        if kind is OpportunityClosed:
            assert isinstance(event, OpportunityClosed)
            if event.won:
                return {"closed_at": event.at, "won_reason": event.reason, "lost_reason": None}
            return {"closed_at": event.at, "lost_reason": event.reason, "won_reason": None}
        if kind is OpportunityReopened:
            return {"closed_at": None, "won_reason": None, "lost_reason": None}
        if kind is ProbabilityOverridden:
            assert isinstance(event, ProbabilityOverridden)
            if event.probability is None:
                default, _ = _defaults(self.pipeline.stage(self.stage))
                return {"probability": default, "probability_overridden": False}
            return {"probability": event.probability, "probability_overridden": True}
        if kind is ForecastCategoryOverridden:
            assert isinstance(event, ForecastCategoryOverridden)
            if event.category is None:
                _, default_category = _defaults(self.pipeline.stage(self.stage))
                return {
                    "forecast_category": default_category,
                    "forecast_category_overridden": False,
                }
            return {"forecast_category": event.category, "forecast_category_overridden": True}
        if kind is LineItemAdded:
            assert isinstance(event, LineItemAdded)
            return self._with_lines((*self.line_items, event.item))
        if kind is LineItemRemoved:
            assert isinstance(event, LineItemRemoved)
            i = event.position
            if not 0 <= i < len(self.line_items) or self.line_items[i] != event.item:
                fail("position", i, "does not name the line removed")
            return self._with_lines(self.line_items[:i] + self.line_items[i + 1 :])
        if kind is LineItemsReplaced:
            assert isinstance(event, LineItemsReplaced)
            return self._with_lines(event.items)
        return super()._apply(event)

    def _with_lines(self, lines: tuple[LineItem, ...]) -> dict[str, Any]:
        if lines:
            return {"line_items": lines, "amount": line_items_total(lines)}
        amount = None if self.amount is None else Money.zero(self.amount.currency)
        return {"line_items": lines, "amount": amount}

    # --- queries -----------------------------------------------------------------------

    @property
    def stage_kind(self) -> StageKind:
        """Whether the current stage is open, won or lost."""
        return self.pipeline.stage(self.stage).kind

    @property
    def is_open(self) -> bool:
        """Whether the deal is in an open stage."""
        return self.stage_kind is StageKind.OPEN

    @property
    def is_closed(self) -> bool:
        """Whether the deal is won or lost."""
        return self.stage_kind is not StageKind.OPEN

    @property
    def is_won(self) -> bool:
        """Whether the deal is won."""
        return self.stage_kind is StageKind.WON

    @property
    def is_lost(self) -> bool:
        """Whether the deal is lost."""
        return self.stage_kind is StageKind.LOST

    @property
    def currency(self) -> str | None:
        """The deal's currency (its amount's), if it has an amount."""
        return None if self.amount is None else self.amount.currency

    @property
    def weighted_amount(self) -> Money | None:
        """Expected revenue: ``amount × probability``, not rounded (``None`` without amount)."""
        return None if self.amount is None else self.amount * self.probability

    @property
    def contract_value(self) -> Money | None:
        """``recurring × term_months`` for a subscription (``None`` if either is missing)."""
        if self.recurring is None or self.term_months is None:
            return None
        return self.recurring * self.term_months

    @property
    def annual_recurring(self) -> Money | None:
        """``recurring × 12`` (``None`` without recurring revenue)."""
        return None if self.recurring is None else self.recurring * 12

    # --- stage moves -------------------------------------------------------------------

    def move_to(
        self,
        stage: str,
        *,
        at: datetime,
        actor: str,
        reason: str | None = None,
        changes: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> Opportunity:
        """Move the deal to another stage of its pipeline.

        Moving to a won stage is :meth:`close_won` and to a lost stage is
        :meth:`close_lost`, with ``reason`` as the won or lost reason. A
        closed deal leaves its stage only through :meth:`reopen`.

        Args:
            stage: The target stage key.
            at: When (not before the deal's last event).
            actor: Who.
            reason: Why; for a close, the won or lost reason.
            changes: Field values set together with the move (as one
                ``FieldsChanged`` just before it); they count towards the
                target's entry requirements, e.g.
                ``{"amount": Money("9000", "EUR"), "close_date": date(2027, 3, 31)}``.
            context: Related data handed to the target stage's entry rule
                (interactions, the account…), with the move's ``at``.

        Returns:
            The deal with its new events.

        Raises:
            TransitionError: the policy forbids the move, the deal is
                closed, or entry requirements are unmet (all named).
            ValidationError: bad ``changes`` values, ``at`` or ``actor``.
        """
        target = str(stage)
        if self.is_closed:
            raise TransitionError(
                self.id,
                self.stage,
                target,
                [f"the deal is closed ({self.stage}): reopen it with reopen()"],
            )
        if target in self.pipeline and self.pipeline.is_closed(target):
            return self._close(
                self.pipeline.stage(target).kind is StageKind.WON,
                target,
                at=at,
                actor=actor,
                reason=reason,
                changes=changes,
                context=context,
            )
        before = self._change_events(changes, at=at, actor=actor)
        return self._move(
            self.pipeline.key,
            target,
            at=at,
            actor=actor,
            reason=reason,
            context=context,
            before=before,
        )

    def close_won(
        self, *, at: datetime, actor: str, reason: str | None = None, stage: str | None = None
    ) -> Opportunity:
        """Close the deal won: :class:`OpportunityClosed` and the move to the won stage.

        Args:
            at: When.
            actor: Who.
            reason: Why it was won.
            stage: Which won stage (the pipeline's first by default).

        Returns:
            The won deal: probability 1.0, category closed, ``closed_at`` set.

        Raises:
            TransitionError: the deal is closed already, or the policy or
                the stage's requirements refuse the move.
            ValidationError: ``stage`` is not a won stage.
        """
        target = self._closing_stage(StageKind.WON, stage)
        return self._close(True, target, at=at, actor=actor, reason=reason)

    def close_lost(
        self, *, at: datetime, actor: str, reason: str, stage: str | None = None
    ) -> Opportunity:
        """Close the deal lost: :class:`OpportunityClosed` and the move to the lost stage.

        Args:
            at: When.
            actor: Who.
            reason: Why it was lost (required; becomes ``lost_reason``).
            stage: Which lost stage (the pipeline's first by default).

        Returns:
            The lost deal: probability 0.0, category omitted, ``closed_at`` set.

        Raises:
            TransitionError: no reason, the deal is closed already, or the
                policy or the stage's requirements refuse the move.
            ValidationError: ``stage`` is not a lost stage.
        """
        target = self._closing_stage(StageKind.LOST, stage)
        return self._close(False, target, at=at, actor=actor, reason=reason)

    def _closing_stage(self, kind: StageKind, stage: str | None) -> str:
        if stage is not None:
            if stage not in self.pipeline or self.pipeline.stage(stage).kind is not kind:
                fail("stage", stage, f"is not a {kind.value} stage of {self.pipeline.key!r}")
            return stage
        for s in self.pipeline.stages:
            if s.kind is kind:
                return s.key
        fail("stage", None, f"{self.pipeline.key!r} has no {kind.value} stage")

    def _close(
        self,
        won: bool,
        target: str,
        *,
        at: datetime,
        actor: str,
        reason: str | None,
        changes: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> Opportunity:
        why = fld.opt_text(reason, "reason")
        if self.is_closed:
            raise TransitionError(
                self.id,
                self.stage,
                target,
                [f"the deal is closed already ({self.stage}): reopen it first"],
            )
        before = list(self._change_events(changes, at=at, actor=actor))
        before.append(self._event(OpportunityClosed, at=at, actor=actor, won=won, reason=why))
        if not won and why is None:
            staged = self._record(*before)
            reasons = self.pipeline.refusals(staged, self.stage, target, at=at, context=context)
            needed = f"lost_reason is required to enter {target!r}"
            if needed not in reasons:
                reasons.insert(0, needed)
            raise TransitionError(self.id, self.stage, target, reasons)
        return self._move(
            self.pipeline.key,
            target,
            at=at,
            actor=actor,
            reason=why,
            context=context,
            before=tuple(before),
        )

    def reopen(self, to_stage: str, *, at: datetime, actor: str, reason: str) -> Opportunity:
        """Reopen a closed deal: :class:`OpportunityReopened` and the move to ``to_stage``.

        Clears ``closed_at`` and the won or lost reason (the history keeps them).

        Args:
            to_stage: The open stage to go back to (its requirements apply).
            at: When.
            actor: Who.
            reason: Why (required).

        Returns:
            The reopened deal, with the stage's default probability and category.

        Raises:
            TransitionError: the deal is open, ``to_stage`` is not open, no
                reason is given, or the pipeline does not allow reopening
                (every reason named).
        """
        target = str(to_stage)
        why = fld.opt_text(reason, "reason")
        reasons: list[str] = []
        if self.is_open:
            reasons.append(f"only a closed deal can be reopened (it is in {self.stage!r})")
        if target in self.pipeline and self.pipeline.is_closed(target):
            reasons.append(f"a deal is reopened to an open stage, not {target!r}")
        if why is None:
            reasons.append("a reason is required to reopen a deal")
        if reasons:
            raise TransitionError(self.id, self.stage, target, reasons)
        assert why is not None
        reopened = self._event(
            OpportunityReopened, at=at, actor=actor, from_stage=self.stage, reason=why
        )
        return self._move(
            self.pipeline.key, target, at=at, actor=actor, reason=why, before=(reopened,)
        )

    # --- probability and forecast -------------------------------------------------------

    def override_probability(
        self, probability: float | None, *, at: datetime, actor: str, reason: str | None = None
    ) -> Opportunity:
        """Set the probability by hand until the next stage change.

        Args:
            probability: In [0, 1]; ``None`` goes back to the stage default.
            at: When.
            actor: Who.
            reason: Why, if given.

        Returns:
            The deal with a :class:`ProbabilityOverridden` event.

        Raises:
            ValidationError: not a probability, or the deal is closed (its
                probability is fixed).
        """
        value = None if probability is None else _probability(probability, "probability")
        if self.is_closed:
            fail("probability", probability, f"is fixed on a closed deal ({self.stage})")
        why = fld.opt_text(reason, "reason")
        return self._emit(ProbabilityOverridden, at=at, actor=actor, probability=value, reason=why)

    def override_forecast_category(
        self,
        category: ForecastCategory | str | None,
        *,
        at: datetime,
        actor: str,
        reason: str | None = None,
    ) -> Opportunity:
        """Set the forecast category by hand until the next stage change.

        Args:
            category: The category; ``None`` goes back to the stage default.
            at: When.
            actor: Who.
            reason: Why, if given.

        Returns:
            The deal with a :class:`ForecastCategoryOverridden` event.

        Raises:
            ValidationError: not a category, or the deal is closed.
        """
        value = None if category is None else _category(category, "forecast_category")
        if self.is_closed:
            fail("forecast_category", category, f"is fixed on a closed deal ({self.stage})")
        why = fld.opt_text(reason, "reason")
        return self._emit(
            ForecastCategoryOverridden, at=at, actor=actor, category=value, reason=why
        )

    # --- edits -------------------------------------------------------------------------------

    def _change_events(
        self, changes: Mapping[str, Any] | None, *, at: datetime, actor: str
    ) -> tuple[Event, ...]:
        if not changes:
            return ()
        return self._update(changes, at=at, actor=actor).history[self.version :]

    def update(
        self,
        *,
        at: datetime,
        actor: str,
        reason: str | None = None,
        schema: CustomFieldSchema | None = None,
        **fields: Any,
    ) -> Opportunity:
        """Edit fields, recording one ``FieldsChanged`` (nothing if no value differs).

        Editable: ``name``, ``account_id``, ``primary_contact_id``,
        ``contact_roles``, ``owner_id``, ``team_id``, ``type``, ``amount``
        (only to the lines' total when there are lines), ``recurring``,
        ``term_months``, ``close_date``, ``competitors``, ``next_step``,
        ``campaign_id`` and ``custom``. The rest move through their own methods.

        Args:
            at: When.
            actor: Who.
            reason: Why, if given.
            schema: Validate ``custom`` against this schema.
            **fields: Field name → new value.

        Returns:
            The updated deal.

        Raises:
            ValidationError: every bad, unknown or refused field at once.
        """
        return self._update(fields, at=at, actor=actor, reason=reason, schema=schema)

    def set_amount(
        self, amount: Money | None, *, at: datetime, actor: str, reason: str | None = None
    ) -> Opportunity:
        """Set the amount by hand.

        Raises:
            ValidationError: negative, in another currency than the
                recurring revenue, or different from the lines' total.
        """
        return self.update(amount=amount, at=at, actor=actor, reason=reason)

    def set_close_date(
        self, close_date: date | None, *, at: datetime, actor: str, reason: str | None = None
    ) -> Opportunity:
        """Set the expected close date.

        Raises:
            ValidationError: not a date.
        """
        return self.update(close_date=close_date, at=at, actor=actor, reason=reason)

    def set_contact_roles(
        self,
        contact_id: str,
        roles: Iterable[ContactRole | str],
        *,
        at: datetime,
        actor: str,
    ) -> Opportunity:
        """Give a contact its roles in the deal (an empty set removes the contact).

        Raises:
            ValidationError: an unknown role or a bad id.
        """
        current = dict(self.contact_roles)
        normal = _roles({contact_id: tuple(roles)}, "contact_roles")
        if contact_id in normal:
            current[contact_id] = normal[contact_id]
        else:
            current.pop(contact_id, None)
        return self.update(contact_roles=current, at=at, actor=actor)

    def add_line_item(self, item: LineItem, *, at: datetime, actor: str) -> Opportunity:
        """Add a line; the amount becomes the lines' total.

        Raises:
            ValidationError: not a line item, or in another currency than the deal.
        """
        lines = _line_tuple((item,))
        self._check_lines((*self.line_items, *lines))
        return self._emit(LineItemAdded, at=at, actor=actor, item=lines[0])

    def remove_line_item(self, position: int, *, at: datetime, actor: str) -> Opportunity:
        """Remove the line at ``position`` (0-based).

        Raises:
            ValidationError: no line at that position.
        """
        if (
            isinstance(position, bool)
            or not isinstance(position, int)
            or not 0 <= position < len(self.line_items)
        ):
            fail("position", position, f"no such line (the deal has {len(self.line_items)})")
        item = self.line_items[position]
        return self._emit(LineItemRemoved, at=at, actor=actor, position=position, item=item)

    def replace_line_items(
        self, items: Iterable[LineItem], *, at: datetime, actor: str
    ) -> Opportunity:
        """Replace every line at once (``()`` removes them all).

        Raises:
            ValidationError: not line items, or mixed currencies.
        """
        lines = _line_tuple(items)
        if lines == self.line_items:
            return self
        self._check_lines(lines)
        return self._emit(LineItemsReplaced, at=at, actor=actor, items=lines)

    def _check_lines(self, lines: tuple[LineItem, ...]) -> None:
        currency = self.currency or (lines[0].currency if lines else None)
        with Checker("Opportunity") as c:
            _check_line_currency(lines, currency, c)


#: The fields a change of which needs the constructor's checks across fields.
_ACROSS: Final = frozenset({"pipeline", "amount", "line_items", "recurring"})
_COPIER: Final = _Copier(Opportunity, _Copier.slots_of(Opportunity))
