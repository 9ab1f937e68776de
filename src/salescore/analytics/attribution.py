"""Marketing attribution: which channels earn the credit for conversions.

A :class:`Journey` is a party's touchpoints in time order, whether it
converted and the value of the conversion (a float, in one currency).
:func:`attribute` hands the value of the converted journeys to channels
under a model:

* single-touch and rule-based models, applied to each converted journey:
  :class:`FirstTouch`, :class:`LastTouch`, :class:`LastNonDirect`,
  :class:`Linear`, :class:`TimeDecay`, :class:`PositionBased`,
  :class:`WShaped`;
* data-driven models over all journeys: :class:`Markov` (first-order
  removal effects, solved exactly on the absorbing chain) and
  :class:`Shapley` (exact Shapley values).

Credits sum (to rounding) to the total value of the converted journeys and
are never negative. Every channel seen in the journeys has an entry.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final, Protocol

import attrs

from salescore._codegen import slot_builder
from salescore.analytics._report import Items, Report, check_collection, check_mapping, items
from salescore.errors import FieldError, ValidationError
from salescore.money import Money

__all__ = [
    "AttributionModel",
    "CampaignPerformance",
    "CampaignReport",
    "FirstTouch",
    "Journey",
    "LastNonDirect",
    "LastTouch",
    "Linear",
    "Markov",
    "PositionBased",
    "Shapley",
    "TimeDecay",
    "Touchpoint",
    "WShaped",
    "attribute",
    "campaign_report",
    "journey_from_touches",
]


def _fail(path: str, value: Any, message: str) -> ValidationError:
    return ValidationError.single(path, value, message)


@attrs.frozen
class Touchpoint:
    """One touch of a journey.

    Attributes:
        channel: The channel (``"email"``, ``"paid_search"``, a campaign id…).
        at: When (timezone-aware).
        creates_opportunity: Whether this touch created the opportunity
            (the key middle touch of :class:`WShaped`).
    """

    channel: str
    at: datetime
    creates_opportunity: bool = attrs.field(default=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.channel, str) or not self.channel:
            raise _fail("channel", self.channel, "must be a non-empty string")
        if not isinstance(self.at, datetime) or self.at.utcoffset() is None:
            raise _fail("at", self.at, "must be a timezone-aware datetime")
        if type(self.creates_opportunity) is not bool:
            raise _fail("creates_opportunity", self.creates_opportunity, "must be a bool")


_new = object.__new__
_set = object.__setattr__


#: ``Touchpoint(channel, at)`` for values known to be valid, built without checking
#: them: a non-empty string ``channel`` and an aware ``at`` taken from validated
#: domain objects (a lead's source and creation time, an interaction's time);
#: anything else must go through the constructor.
_trusted_touch: Final = slot_builder(Touchpoint, defaults=True)


def _touches(value: Iterable[Touchpoint]) -> tuple[Touchpoint, ...]:
    check_collection(value, "touchpoints", "Touchpoint")
    items = tuple(value)
    for i, t in enumerate(items):
        if not isinstance(t, Touchpoint):
            raise _fail(f"touchpoints[{i}]", t, "must be a Touchpoint")
    return tuple(sorted(items, key=lambda t: t.at))


@attrs.frozen
class Journey:
    """A party's way to a conversion (or not).

    Attributes:
        touchpoints: The touches; any iterable, kept as a tuple in time order
            (touches at the same instant keep their given order).
        converted: Whether the journey ended in a conversion.
        value: The conversion's value (a finite float ≥ 0; ignored unless
            converted).
        converted_at: When it converted; defaults to the last touch's time.
        channels: The channel of every touch, in order (derived).

    Raises:
        ValidationError: a converted journey without touches, a negative or
            non-finite value, or a conversion before the last touch.
    """

    touchpoints: tuple[Touchpoint, ...] = attrs.field(converter=_touches)
    converted: bool
    value: float = 0.0
    converted_at: datetime | None = attrs.field(default=None, kw_only=True)
    channels: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if type(self.converted) is not bool:
            raise _fail("converted", self.converted, "must be a bool")
        v = self.value
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v < 0:
            raise _fail("value", v, "must be a finite number ≥ 0")
        object.__setattr__(self, "value", float(v))
        object.__setattr__(self, "channels", tuple(t.channel for t in self.touchpoints))
        if self.converted and not self.touchpoints:
            raise _fail("touchpoints", (), "a converted journey needs at least one touchpoint")
        end = self.converted_at
        if end is not None:
            if not isinstance(end, datetime) or end.utcoffset() is None:
                raise _fail("converted_at", end, "must be a timezone-aware datetime")
            if self.touchpoints and end < self.touchpoints[-1].at:
                raise _fail("converted_at", end, "is before the last touchpoint")


def _trusted_journey(touchpoints: tuple[Touchpoint, ...], converted: bool, value: float) -> Journey:
    """``Journey(touchpoints, converted, value)`` for values known to be valid, unchecked.

    For checked :class:`Touchpoint` objects already in time order (at least
    one when ``converted``), a bool ``converted`` and a finite float
    ``value`` ≥ 0; anything else must go through the constructor.
    """
    journey = _new(Journey)
    _set(journey, "touchpoints", touchpoints)
    _set(journey, "converted", converted)
    _set(journey, "value", value)
    _set(journey, "converted_at", None)
    _set(journey, "channels", tuple([t.channel for t in touchpoints]))
    return journey


@items(
    interactions=Items("an interaction (with at)", has=("at",)),
    memberships=Items("a campaign membership", has=("campaign_id", "added_at")),
)
def journey_from_touches(
    *,
    interactions: Iterable[Any] = (),
    memberships: Iterable[Any] = (),
    converted: bool,
    value: float = 0.0,
    converted_at: datetime | None = None,
    channel_of: Callable[[Any], str] | None = None,
    campaign_channel: Mapping[str, str] | None = None,
) -> Journey:
    """Build a journey from a party's interactions and campaign memberships.

    Args:
        interactions: The party's interactions (``at`` and ``channel``; an
            interaction whose ``kind`` is ``"opportunity_created"`` is marked
            as creating the opportunity).
        memberships: The party's campaign memberships; each is a touch at
            ``added_at`` on the campaign's channel.
        converted: Whether the party converted.
        value: The conversion's value.
        converted_at: When it converted (default: the last touch).
        channel_of: The channel of an interaction (default: its ``channel``
            value).
        campaign_channel: Campaign id → channel (default: the campaign id).

    Returns:
        The journey.

    Raises:
        ValidationError: ``interactions`` or ``memberships`` is no collection,
            ``campaign_channel`` no mapping, or a touch is bad.
    """
    check_collection(interactions, "interactions", "interactions")
    check_collection(memberships, "memberships", "campaign memberships")
    check_mapping(campaign_channel, "campaign_channel", "campaign ids to channels", optional=True)
    touches: list[Touchpoint] = []
    for i in interactions:
        channel = channel_of(i) if channel_of is not None else str(i.channel)
        key = getattr(i, "kind", None) == "opportunity_created"
        touches.append(Touchpoint(channel, i.at, creates_opportunity=key))
    names = campaign_channel or {}
    for m in memberships:
        touches.append(Touchpoint(names.get(m.campaign_id, m.campaign_id), m.added_at))
    return Journey(touches, converted, value, converted_at=converted_at)


_JOURNEYS = Items("a Journey", Journey)


class AttributionModel(Protocol):
    """What :func:`attribute` needs of a model."""

    def credit(self, journeys: Iterable[Journey]) -> dict[str, float]:
        """Credit per channel for ``journeys`` (read once)."""
        ...


class _PerJourney:
    """A model that splits each converted journey's value by position."""

    def weights(self, journey: Journey) -> Sequence[float]:
        """The share of each touch (summing to 1)."""
        raise NotImplementedError

    @items(journeys=_JOURNEYS)
    def credit(self, journeys: Iterable[Journey]) -> dict[str, float]:
        """Credit per channel: each converted journey's value times each touch's share."""
        credits: dict[str, float] = {}
        check_collection(journeys, "journeys", "Journey")
        known = credits.__contains__
        for j in journeys:
            if not j.converted:
                if not all(map(known, j.channels)):  # a new channel: an entry of 0
                    for c in j.channels:
                        credits.setdefault(c, 0.0)
                continue
            for c, w in zip(j.channels, self.weights(j), strict=True):
                credits[c] = credits.get(c, 0.0) + j.value * w
        return credits


def _one_at(n: int, i: int) -> list[float]:
    w = [0.0] * n
    w[i] = 1.0
    return w


@attrs.frozen
class FirstTouch(_PerJourney):
    """All the value to the first touch."""

    def weights(self, journey: Journey) -> Sequence[float]:
        """1 for the first touch, 0 for the others."""
        return _one_at(len(journey.touchpoints), 0)


@attrs.frozen
class LastTouch(_PerJourney):
    """All the value to the last touch."""

    def weights(self, journey: Journey) -> Sequence[float]:
        """1 for the last touch, 0 for the others."""
        return _one_at(len(journey.touchpoints), -1)


@attrs.frozen
class LastNonDirect(_PerJourney):
    """All the value to the last touch that is not direct.

    A journey of direct touches only gives its value to the direct channel.

    Attributes:
        direct: The name of the direct channel.
    """

    direct: str = "direct"

    def weights(self, journey: Journey) -> Sequence[float]:
        """1 for the last non-direct touch (or the last touch), 0 for the others."""
        touches = journey.touchpoints
        for i in range(len(touches) - 1, -1, -1):
            if touches[i].channel != self.direct:
                return _one_at(len(touches), i)
        return _one_at(len(touches), -1)


@attrs.frozen
class Linear(_PerJourney):
    """The value split evenly over the touches."""

    def weights(self, journey: Journey) -> Sequence[float]:
        """``1 / n`` for each of the ``n`` touches."""
        n = len(journey.touchpoints)
        return [1.0 / n] * n


@attrs.frozen
class TimeDecay(_PerJourney):
    """Touches weighted by ``2 ** (-age / half_life)``, normalised.

    The age of a touch is measured back from the conversion time (the
    journey's ``converted_at``, else its last touch).

    Attributes:
        half_life: The age at which a touch counts half as much (positive).
    """

    half_life: timedelta = timedelta(days=7)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.half_life, timedelta) or self.half_life <= timedelta(0):
            raise _fail("half_life", self.half_life, "must be a positive timedelta")

    def weights(self, journey: Journey) -> Sequence[float]:
        """Each touch's decayed weight divided by their sum."""
        touches = journey.touchpoints
        # Relative to the latest touch: the common factor for the time from
        # it to the conversion cancels in the normalisation, and no weight
        # underflows to zero for the latest touch.
        latest = touches[-1].at
        raw = [2.0 ** (-((latest - t.at) / self.half_life)) for t in touches]
        total = math.fsum(raw)
        return [w / total for w in raw]


@attrs.frozen
class PositionBased(_PerJourney):
    """First and last touches get fixed shares, the middle splits the rest.

    One touch gets everything; two touches split the value in the ratio
    ``first : last``; from three touches on, the first gets ``first``, the
    last ``last`` and the middle ones share ``1 - first - last`` evenly.

    Attributes:
        first: The first touch's share.
        last: The last touch's share.
    """

    first: float = 0.4
    last: float = 0.4

    def __attrs_post_init__(self) -> None:
        for name in ("first", "last"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
                raise _fail(name, v, "must be a share in [0, 1]")
        if not 0 < self.first + self.last <= 1:
            raise _fail("first", self.first, f"first + last must be in (0, 1], got {self.last}")

    def weights(self, journey: Journey) -> Sequence[float]:
        """The shares by position."""
        n = len(journey.touchpoints)
        if n == 1:
            return [1.0]
        if n == 2:
            total = self.first + self.last
            return [self.first / total, self.last / total]
        middle = (1.0 - self.first - self.last) / (n - 2)
        return [self.first, *([middle] * (n - 2)), self.last]


@attrs.frozen
class WShaped(_PerJourney):
    """First touch, key middle touch and last touch 0.3 each, the rest 0.1.

    The key touch is the first middle touch marked ``creates_opportunity``,
    else the one at index ``len // 2``. The remaining 0.1 is spread evenly
    over the other touches; with three touches or fewer the shares are
    renormalised over those that exist (one touch: 1; two: 0.5 each;
    three: a third each).
    """

    def weights(self, journey: Journey) -> Sequence[float]:
        """The shares by position."""
        touches = journey.touchpoints
        n = len(touches)
        if n <= 3:
            return [1.0 / n] * n
        key = next(
            (i for i in range(1, n - 1) if touches[i].creates_opportunity),
            n // 2,
        )
        rest = 0.1 / (n - 3)
        return [0.3 if i in (0, key, n - 1) else rest for i in range(n)]


_START = "(start)"
_CONVERSION = "(conversion)"
_NULL = "(null)"


def _solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """Solve ``matrix @ x = rhs`` by Gaussian elimination with partial pivoting."""
    n = len(rhs)
    a = [[*row, b] for row, b in zip(matrix, rhs, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-300:
            continue  # a state that cannot be left: it never absorbs
        a[col], a[pivot] = a[pivot], a[col]
        p = a[col][col]
        for r in range(col + 1, n):
            f = a[r][col] / p
            if f:
                row_r, row_c = a[r], a[col]
                for k in range(col, n + 1):
                    row_r[k] -= f * row_c[k]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        p = a[r][r]
        if abs(p) < 1e-300:
            x[r] = 0.0
            continue
        s = a[r][n] - sum(a[r][k] * x[k] for k in range(r + 1, n))
        x[r] = s / p
    return x


@attrs.frozen
class Markov:
    """First-order Markov attribution by removal effects, solved exactly.

    Every journey, converted or not, is a path ``start → c1 → … → cn →
    conversion`` (or ``→ null``); each journey's transitions are counted
    once whatever its value, and a channel repeated in a row is a
    self-loop. The removal effect of a channel is ``1 - P(conversion
    without it) / P(conversion)``, where removing a channel sends every
    transition into it to ``null``; both probabilities are absorption
    probabilities of the chain, solved as a linear system. The value of the
    converted journeys is split in proportion to the removal effects.
    """

    def _chain(
        self, journeys: Iterable[Journey]
    ) -> tuple[list[str], Counter[tuple[str, str]], float]:
        """The channels, the transition counts and the converted value."""
        counts: Counter[tuple[str, str]] = Counter()
        channels: set[str] = set()
        total = 0.0
        end = {True: (_CONVERSION,), False: (_NULL,)}
        start = (_START,)
        check_collection(journeys, "journeys", "Journey")
        # Journeys along the same path, counted once per path (in order of
        # first appearance, so the counts are made in the same order).
        paths: dict[tuple[str, ...], int] = {}
        for j in journeys:
            path = start + j.channels + end[j.converted]
            paths[path] = paths.get(path, 0) + 1
            if j.converted:
                total += j.value
        for path, k in paths.items():
            if k == 1:
                counts.update(itertools.pairwise(path))
            else:
                for pair in itertools.pairwise(path):
                    counts[pair] += k
            channels.update(path[1:-1])
        return sorted(channels), counts, total

    @staticmethod
    def _conversion(
        channels: Sequence[str], counts: Mapping[tuple[str, str], int], removed: str | None
    ) -> float:
        states = [_START, *(c for c in channels if c != removed)]
        index = {s: i for i, s in enumerate(states)}
        out: Counter[str] = Counter()
        for (src, _), k in counts.items():
            out[src] += k
        n = len(states)
        matrix = [[0.0] * n for _ in range(n)]
        rhs = [0.0] * n
        for i in range(n):
            matrix[i][i] = 1.0
        for (src, dst), k in counts.items():
            row = index.get(src)
            if row is None:
                continue
            p = k / out[src]
            if dst == _CONVERSION:
                rhs[row] += p
            elif dst in index:
                matrix[row][index[dst]] -= p
        return _solve(matrix, rhs)[0]

    @items(journeys=_JOURNEYS)
    def removal_effects(self, journeys: Iterable[Journey]) -> dict[str, float]:
        """Each channel's removal effect (0 for all when nothing converted)."""
        channels, counts, _ = self._chain(journeys)
        return self._effects(channels, counts)

    def _effects(
        self, channels: Sequence[str], counts: Mapping[tuple[str, str], int]
    ) -> dict[str, float]:
        base = self._conversion(channels, counts, None)
        if base <= 0:
            return dict.fromkeys(channels, 0.0)
        return {c: max(0.0, 1.0 - self._conversion(channels, counts, c) / base) for c in channels}

    @items(journeys=_JOURNEYS)
    def credit(self, journeys: Iterable[Journey]) -> dict[str, float]:
        """Credit per channel in proportion to the removal effects."""
        channels, counts, total = self._chain(journeys)
        effects = self._effects(channels, counts)
        s = math.fsum(effects.values())
        if s <= 0:
            return dict.fromkeys(channels, 0.0)
        return {c: total * e / s for c, e in effects.items()}


MAX_SHAPLEY_CHANNELS = 15


@attrs.frozen
class Shapley:
    """Exact Shapley values of the channels.

    The worth of a coalition of channels is the value of the converted
    journeys whose set of channels is a subset of it. That game is a sum of
    unanimity games (one per distinct set of channels), so each channel's
    Shapley value is exactly the sum, over converted journeys that used it,
    of the journey's value divided by its number of distinct channels — the
    same number the sum over all coalitions gives. More than 15 channels
    are refused, as the coalition form of the game is then too large to
    reason about.
    """

    @items(journeys=_JOURNEYS)
    def credit(self, journeys: Iterable[Journey]) -> dict[str, float]:
        """The Shapley value of every channel.

        Raises:
            ValidationError: more than 15 distinct channels.
        """
        worth: dict[frozenset[str], float] = {}
        channels: set[str] = set()
        check_collection(journeys, "journeys", "Journey")
        for j in journeys:
            channels.update(j.channels)
            if j.converted:
                key = frozenset(j.channels)
                worth[key] = worth.get(key, 0.0) + j.value
        if len(channels) > MAX_SHAPLEY_CHANNELS:
            raise _fail(
                "journeys",
                len(channels),
                f"Shapley attribution is limited to {MAX_SHAPLEY_CHANNELS} channels "
                f"(found {len(channels)}: {', '.join(sorted(channels))}); "
                "group channels or use Markov",
            )
        credits = dict.fromkeys(channels, 0.0)
        for members, value in worth.items():
            share = value / len(members)
            for c in members:
                credits[c] += share
        return credits


@items(journeys=_JOURNEYS)
def attribute(journeys: Iterable[Journey], model: AttributionModel) -> dict[str, float]:
    """Credit per channel for the converted value of ``journeys`` under ``model``.

    Args:
        journeys: The journeys (read once; an iterator will do).
        model: One of the models of this module (or any object with a
            ``credit(journeys)`` method).

    Returns:
        Channel → credit, sorted by channel; every channel seen has an entry.
        The credits are non-negative and sum (to 1e-9 relative) to the total
        value of the converted journeys.

    Raises:
        ValidationError: ``model`` has no ``credit`` method (a model's name
            such as ``"linear"`` instead of ``Linear()``), ``journeys`` is no
            collection (``None``, a number, a string), or a bad journey.
    """
    if not callable(getattr(model, "credit", None)):
        raise _fail("model", model, "must be an attribution model, such as Linear()")
    check_collection(journeys, "journeys", "Journey")
    credits = model.credit(journeys)
    return {c: credits[c] for c in sorted(credits)}


# --- campaigns ---------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CampaignPerformance:
    """What one campaign cost and what it earned.

    Attributes:
        campaign_id: The campaign.
        name: Its name.
        cost: Its actual cost (zero if none recorded).
        revenue: The revenue attributed to it, rounded to the minor unit.
        leads, opportunities, customers: Counts given by the caller.
        roi: ``(revenue - cost) / cost`` (``None`` when the cost is zero).
        cost_per_lead, cost_per_opportunity, acquisition_cost: The cost
            divided by the count (``None`` when the count is zero).
    """

    campaign_id: str
    name: str
    cost: Money
    revenue: Money
    leads: int
    opportunities: int
    customers: int
    roi: float | None
    cost_per_lead: Money | None
    cost_per_opportunity: Money | None
    acquisition_cost: Money | None


@attrs.frozen
class CampaignReport(Report):
    """Cost and return of campaigns.

    Attributes:
        campaigns: One entry per campaign, in the order given.
    """

    campaigns: tuple[CampaignPerformance, ...]

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per campaign (money as ``Money``)."""
        return [attrs.asdict(c, recurse=False) for c in self.campaigns]


_REVENUE = "must be a finite number ≥ 0 (below 10**15)"


def _per(cost: Money, count: int) -> Money | None:
    return (cost / count).round() if count else None


@items(campaigns=Items("a campaign", has=("id", "name", "actual_cost")))
def campaign_report(
    campaigns: Iterable[Any],
    revenue: Mapping[str, float],
    *,
    currency: str,
    leads: Mapping[str, int] | None = None,
    opportunities: Mapping[str, int] | None = None,
    customers: Mapping[str, int] | None = None,
) -> CampaignReport:
    """Return on investment, cost per lead and per opportunity, and acquisition cost.

    Args:
        campaigns: Campaigns (``id``, ``name``, ``actual_cost``).
        revenue: Campaign id → attributed revenue (as :func:`attribute`
            gives when the channels are campaign ids).
        currency: The currency of the costs and the revenue.
        leads: Campaign id → leads it brought.
        opportunities: Campaign id → opportunities it brought.
        customers: Campaign id → customers won.

    Returns:
        The report.

    Raises:
        ValidationError: ``campaigns`` that is no collection, ``revenue``
            or counts that are no mapping, a campaign's cost in another
            currency, a revenue that is not a finite number ≥ 0, or a count
            that is not a whole number ≥ 0 (every bad entry at once, named
            ``revenue.<id>``, ``leads.<id>``…).
    """
    check_collection(campaigns, "campaigns", "campaigns")
    check_mapping(revenue, "revenue", "campaign ids to revenue")
    counted = (("leads", leads), ("opportunities", opportunities), ("customers", customers))
    for name, counts in counted:
        check_mapping(counts, name, "campaign ids to counts", optional=True)
    quantum = Decimal(1).scaleb(-Money.zero(currency).minor_unit)
    earned_by_id: dict[str, Money] = {}
    errors = []
    for key, value in revenue.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float | Decimal)
            or not math.isfinite(value)
            or not 0 <= value < 10**15
        ):
            errors.append(FieldError(f"revenue.{key}", value, _REVENUE))
        else:  # rounded to the minor unit first: a float can have hundreds of places
            earned_by_id[key] = Money(Decimal(repr(float(value))).quantize(quantum), currency)
    for name, counts in counted:
        errors.extend(
            FieldError(f"{name}.{key}", value, "must be a whole number ≥ 0")
            for key, value in (counts or {}).items()
            if isinstance(value, bool) or not isinstance(value, int) or value < 0
        )
    if errors:
        raise ValidationError(errors)
    rows = []
    for c in campaigns:
        cost = c.actual_cost if c.actual_cost is not None else Money.zero(currency)
        if cost.currency != currency:
            raise _fail(f"{c.id}.actual_cost", cost, f"is not in {currency}")
        earned = earned_by_id.get(c.id, Money(quantum * 0, currency))
        n_leads = (leads or {}).get(c.id, 0)
        n_opps = (opportunities or {}).get(c.id, 0)
        n_customers = (customers or {}).get(c.id, 0)
        rows.append(
            CampaignPerformance(
                campaign_id=c.id,
                name=c.name,
                cost=cost,
                revenue=earned,
                leads=n_leads,
                opportunities=n_opps,
                customers=n_customers,
                roi=None if cost.is_zero else float((earned - cost) / cost),
                cost_per_lead=_per(cost, n_leads),
                cost_per_opportunity=_per(cost, n_opps),
                acquisition_cost=_per(cost, n_customers),
            )
        )
    return CampaignReport(tuple(rows))
