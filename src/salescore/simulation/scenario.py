"""Scenarios: what a simulated sales organisation looks like, as plain data.

A :class:`Scenario` is built from a mapping (:meth:`Scenario.from_dict`) or
from TOML text (:meth:`Scenario.from_toml`); reading a file is the caller's
business. Every problem in the input is reported at once, as a
:class:`~salescore.errors.ValidationError` whose paths name the keys
(``sources[1].rate``, ``pipeline.stages[0].advance``). Named variants are
parameter overrides applied to the same input (:meth:`Scenario.variant`).

The format is described in the scenario file reference of the documentation.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from salescore.decisions._evaluation import check_subject
from salescore.domain.leads import Lead
from salescore.domain.standard_funnels import B2B_PIPELINE
from salescore.errors import FieldError, RuleSyntaxError, ValidationError
from salescore.rules import parse

__all__ = [
    "LEAD_ATTRIBUTES",
    "PRIORITIES",
    "AttributeRule",
    "CadenceStepSpec",
    "Criterion",
    "PartSpec",
    "PipelineSpec",
    "QualificationItem",
    "RouteSpec",
    "Scenario",
    "ServiceSpec",
    "SlaSpec",
    "SourceSpec",
    "StageSpec",
    "TeamSpec",
]

#: The lead fields a source may draw values for.
LEAD_ATTRIBUTES = ("industry", "country", "employees", "title")
#: Case priorities, lowest first.
PRIORITIES = ("low", "normal", "high", "urgent")
_ROLES = ("sdr", "ae", "support_agent")
_OPEN_STAGES = tuple(s.key for s in B2B_PIPELINE.stages if s.kind == "open")

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class SourceSpec:
    """A lead source: a channel and campaign with an arrival rate.

    Attributes:
        key: The source's name (also its campaign's id).
        channel: The marketing channel (``"paid_search"``, ``"webinar"``…).
        rate: Mean new leads per business day (Poisson arrivals).
        cost: What the campaign costs over the period, a decimal string.
        attributes: Per lead field, the weighted values drawn for each lead.
    """

    key: str
    channel: str
    rate: float
    cost: str = "0"
    attributes: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()


@attrs.frozen
class Criterion:
    """Points for leads that match a rule."""

    key: str
    rule: str
    points: float


@attrs.frozen
class QualificationItem:
    """A qualification item: a rule on the lead, or a rep's answer by chance.

    Attributes:
        key: The item's key.
        rule: A rule on the lead's fields (then the item is decided by it).
        confirmed: Without a rule: the chance a rep confirms the item after
            a meeting (otherwise it is disqualifying).
    """

    key: str
    rule: str | None = None
    confirmed: float = 1.0


@attrs.frozen
class RouteSpec:
    """Leads matching ``rule`` go to team ``team``."""

    rule: str
    team: str


@attrs.frozen(kw_only=True)
class TeamSpec:
    """A team of reps of one role, with their hours and capacity.

    Attributes:
        key: The team's id (its reps are ``<key>-1``, ``<key>-2``…).
        role: ``"sdr"``, ``"ae"`` or ``"support_agent"``.
        reps: How many reps.
        hours: Local working hours (start, end).
        calls_per_day: Cadence calls a rep makes per day at most.
        meetings_per_day: Meetings a rep holds per day at most.
        cases_at_once: Cases an agent works on at the same time at most.
    """

    key: str
    role: str
    reps: int
    hours: tuple[time, time] = (time(9), time(17))
    calls_per_day: int = 60
    meetings_per_day: int = 4
    cases_at_once: int = 3


@attrs.frozen(kw_only=True)
class CadenceStepSpec:
    """A cadence step and the chances of its outcomes.

    Attributes:
        kind: ``"call"`` or ``"email"``.
        business_days: Business days after the previous step.
        connect: A call reaches the person (a conversation, no meeting).
        reply: An e-mail is answered (no meeting).
        meeting: A meeting is booked.
        opt_out: The person asks not to be contacted again.
    """

    kind: str
    business_days: int = 1
    connect: float = 0.0
    reply: float = 0.0
    meeting: float = 0.0
    opt_out: float = 0.0


@attrs.frozen
class AttributeRule:
    """Another chance and duration for deals whose lead matches ``rule``."""

    rule: str
    advance: float
    days: float


@attrs.frozen(kw_only=True)
class StageSpec:
    """An open pipeline stage: the chance of moving on, and the time it takes.

    Attributes:
        key: The stage of the B2B pipeline.
        advance: The chance a deal moves on (to the next stage, or won from the last).
        days: The mean time in the stage, in business days (exponential).
        when: Overrides for deals whose lead matches a rule; the first match wins.
    """

    key: str
    advance: float
    days: float
    when: tuple[AttributeRule, ...] = ()


@attrs.frozen(kw_only=True)
class PipelineSpec:
    """Deals: their amount and their stages.

    Attributes:
        amount: Mean deal amount (a decimal string).
        spread: Relative spread of the amount (uniform, ± this share).
        stages: The open stages a deal passes, in order.
        lost_reasons: Reasons drawn for lost deals.
    """

    amount: str
    spread: float
    stages: tuple[StageSpec, ...]
    lost_reasons: tuple[str, ...] = ("no budget", "chose a competitor", "no decision")


@attrs.frozen(kw_only=True)
class SlaSpec:
    """Targets for one priority, in business hours."""

    priority: str
    first_reply_hours: float
    resolution_hours: float


@attrs.frozen(kw_only=True)
class ServiceSpec:
    """Service cases opened by customers.

    Attributes:
        existing_customers: Customers at the start of the period.
        cases_per_customer_per_month: Mean arrival rate of cases per customer.
        priorities: Weighted priorities of new cases.
        reply_hours: Mean agent effort before the first reply (hours).
        resolve_hours: Mean further effort until the case is solved (hours).
        team: The support team that works the cases.
        sla: Targets per priority.
    """

    existing_customers: int
    cases_per_customer_per_month: float
    priorities: tuple[tuple[str, float], ...]
    reply_hours: float
    resolve_hours: float
    team: str
    sla: tuple[SlaSpec, ...]


@attrs.frozen(kw_only=True)
class PartSpec:
    """A part of the organisation that shares nothing with the others.

    A part owns its lead sources and its teams (their reps, queues and
    capacity) and its existing customers; a run simulates each part on its
    own (see :meth:`Scenario.part`).

    Attributes:
        key: The part's name (``"emea"``, ``"team_a"``…).
        sources: The keys of its lead sources.
        teams: The keys of its teams.
        existing_customers: Its customers at the start (cases come from them).
    """

    key: str
    sources: tuple[str, ...]
    teams: tuple[str, ...]
    existing_customers: int = 0


@attrs.frozen(kw_only=True)
class Scenario:
    """A simulated sales organisation over a period.

    Build it with :meth:`from_dict` or :meth:`from_toml`; the fields mirror
    the file format. ``variants`` maps a variant's name to its overrides
    (dotted key → value) and :meth:`variant` applies them. ``parts`` splits
    the organisation into parts that share nothing (:meth:`part`).
    """

    name: str
    start: date
    days: int
    timezone: str
    currency: str
    holidays: tuple[date, ...]
    sources: tuple[SourceSpec, ...]
    criteria: tuple[Criterion, ...]
    mql: float
    qualification: tuple[QualificationItem, ...]
    routes: tuple[RouteSpec, ...]
    default_team: str
    deal_team: str
    teams: tuple[TeamSpec, ...]
    cadence: tuple[CadenceStepSpec, ...]
    pipeline: PipelineSpec
    service: ServiceSpec | None
    parts: tuple[PartSpec, ...] = ()
    variants: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    data: str = attrs.field(default="{}", repr=False, eq=False)

    @classmethod
    def from_toml(cls, text: str) -> Scenario:
        """Read a scenario from TOML text.

        Raises:
            ValidationError: the text is not TOML, or not text (path
                ``toml``), or the scenario is bad (every problem, by key).
        """
        if not isinstance(text, str):
            raise ValidationError.single("toml", text, "must be TOML text (a str)")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError.single("toml", None, f"is not valid TOML: {exc}") from exc
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """Build a scenario from a mapping (as TOML or JSON gives it).

        Raises:
            ValidationError: ``data`` is not a mapping, or every bad or
                missing key, with its path.
        """
        if not isinstance(data, Mapping):
            raise ValidationError([FieldError("<object>", data, "must be a table")], "Scenario")
        return _Reader(data).scenario()

    def variant(self, name: str) -> Scenario:
        """The scenario with the overrides of variant ``name`` applied.

        Raises:
            ValidationError: no such variant (path ``variant``), or an
                override that names no key or gives a bad value.
        """
        found = dict(self.variants)
        if name not in found:
            known = ", ".join(sorted(found)) or "none"
            raise ValidationError.single("variant", name, f"is not a variant (known: {known})")
        return self.with_overrides(dict(found[name]), prefix=f"variants.{name}")

    def with_overrides(self, overrides: Mapping[str, Any], prefix: str = "overrides") -> Scenario:
        """The scenario with dotted-key overrides applied.

        A key walks tables by name and lists of tables by their ``key``:
        ``"teams.sdr.reps"``, ``"sources.webinar.rate"``, ``"scoring.mql"``.

        Raises:
            ValidationError: a key that names nothing, or a bad result.
        """
        return Scenario.from_dict(_overridden(json.loads(self.data), overrides, prefix))

    def part(self, key: str) -> Scenario:
        """One part of the organisation as a scenario of its own, without parts or variants.

        It keeps the part's sources and teams, the routing rules that name
        its teams, and its existing customers. Its leads go by default to
        ``routing.default_team`` if that team is in the part, otherwise to the
        part's first SDR team; its meetings and deals to ``routing.deal_team``
        or the part's first account-executive team; its cases to
        ``service.team`` or the part's first support team.

        Raises:
            ValidationError: no such part (path ``part``).
        """
        found = {p.key: p for p in self.parts}
        if key not in found:
            known = ", ".join(found) or "none"
            raise ValidationError.single("part", key, f"is not a part (known: {known})")
        part = found[key]
        data = json.loads(self.data)
        data.pop("parts", None)
        data.pop("variants", None)
        data["name"] = f"{self.name}: {key}"
        data["sources"] = [s for s in data["sources"] if s["key"] in part.sources]
        data["teams"] = [t for t in data["teams"] if t["key"] in part.teams]
        roles = [(t.key, t.role) for t in self.teams if t.key in part.teams]
        routing = data.setdefault("routing", {})
        routing["default_team"] = _part_team(roles, self.default_team, "sdr")
        routing["deal_team"] = _part_team(roles, self.deal_team, "ae")
        if "rules" in routing:
            routing["rules"] = [r for r in routing["rules"] if r.get("team") in part.teams]
        if self.service is not None:
            data["service"]["team"] = _part_team(roles, self.service.team, "support_agent")
            data["service"]["existing_customers"] = part.existing_customers
        return Scenario.from_dict(data)


def _part_team(roles: list[tuple[str, str]], preferred: str, role: str) -> str:
    """``preferred`` if it is one of the part's teams, else the part's first team of ``role``."""
    if any(key == preferred for key, _ in roles):
        return preferred
    return next(key for key, r in roles if r == role)


def _overridden(data: Any, overrides: Mapping[str, Any], prefix: str) -> Any:
    """``data`` with dotted-key overrides set (a ValidationError names any that miss)."""
    errors: list[FieldError] = []
    for dotted, value in sorted(overrides.items()):
        if not _set_path(data, dotted.split("."), _plain(value)):
            errors.append(FieldError(f"{prefix}.{dotted}", value, "names no key of the scenario"))
    if errors:
        raise ValidationError(errors)
    return data


def _plain(value: Any) -> Any:
    """A JSON-able copy of TOML data (dates and times as ISO strings)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date | time | datetime):
        return value.isoformat()
    return value


def _set_path(data: Any, parts: list[str], value: Any) -> bool:
    here = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(here, dict):
            if part not in here:
                return False
            if last:
                here[part] = value
                return True
            here = here[part]
        elif isinstance(here, list):
            match = [x for x in here if isinstance(x, dict) and x.get("key") == part]
            if not match:
                return False
            if last:
                return False
            here = match[0]
        else:
            return False
    return False


class _Reader:
    """Reads a scenario mapping, collecting every problem with its path."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.errors: list[FieldError] = []
        self.root = data

    def problem(self, path: str, value: Any, message: str) -> None:
        self.errors.append(FieldError(path, value, message))

    def table(self, data: Any, path: str) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            self.problem(path, data, "must be a table")
            return {}
        return data

    def get(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        kind: Callable[[Any, str], T | None],
        default: Any = ...,
    ) -> T:
        full = f"{path}.{key}" if path else key
        if key not in data:
            if default is ...:
                self.problem(full, None, "is required")
                return None  # type: ignore[return-value]
            return default  # type: ignore[no-any-return]
        out = kind(data[key], full)
        return out  # type: ignore[return-value]

    def unknown(self, data: Mapping[str, Any], path: str, allowed: tuple[str, ...]) -> None:
        for key in data:
            if key not in allowed:
                full = f"{path}.{key}" if path else str(key)
                self.problem(full, data[key], f"is not a known key ({', '.join(allowed)})")

    # -- value kinds ------------------------------------------------------------------------

    def text(self, value: Any, path: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.problem(path, value, "must be a non-empty string")
            return None
        return value

    def number(self, value: Any, path: str, low: float = 0.0, high: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(path, value, "must be a number")
            return 0.0
        if value < low or (high is not None and value > high):
            bound = f"between {low:g} and {high:g}" if high is not None else f">= {low:g}"
            self.problem(path, value, f"must be {bound}")
            return 0.0
        return float(value)

    def nonneg(self, value: Any, path: str) -> float:
        return self.number(value, path)

    def probability(self, value: Any, path: str) -> float:
        return self.number(value, path, 0.0, 1.0)

    def count(self, value: Any, path: str, low: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.problem(path, value, f"must be a whole number >= {low}")
            return low
        return value

    def some(self, value: Any, path: str) -> int:
        """A whole number of at least one."""
        return self.count(value, path, 1)

    def unique(self, items: list[Any] | None, path: str) -> None:
        """Report every item whose ``key`` an earlier item of the list has."""
        seen: set[str] = set()
        for i, item in enumerate(items or ()):
            if item.key in seen:
                self.problem(f"{path}[{i}].key", item.key, "is used twice")
            seen.add(item.key)

    def amount(self, value: Any, path: str) -> str:
        text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
        try:
            from decimal import Decimal, InvalidOperation

            if text is None or not Decimal(text).is_finite() or Decimal(text) < 0:
                raise InvalidOperation
        except (ArithmeticError, ValueError):
            self.problem(path, value, "must be an amount >= 0 (an integer or a decimal string)")
            return "0"
        return text

    def rule(self, value: Any, path: str) -> str | None:
        text = self.text(value, path)
        if text is None:
            return None
        try:
            rule = parse(text)
        except RuleSyntaxError as exc:
            self.problem(path, value, f"is not a rule: {exc.errors[0].message}")
            return None
        try:  # rules read the lead: a misspelled field would never match
            check_subject(Lead, [(path, rule, None)], "Scenario")
        except ValidationError as exc:
            self.errors.extend(exc.errors)
            return None
        return text

    def day(self, value: Any, path: str) -> date | None:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        return self.iso(value, path, date.fromisoformat, "must be a date (YYYY-MM-DD)")

    def clock_time(self, value: Any, path: str) -> time | None:
        if isinstance(value, time):
            return value
        return self.iso(value, path, time.fromisoformat, "must be a time of day (HH:MM)")

    def iso(self, value: Any, path: str, parse: Callable[[str], T], message: str) -> T | None:
        """``parse(value)`` of an ISO 8601 string; anything else is a problem."""
        if isinstance(value, str):
            try:
                return parse(value)
            except ValueError:
                pass
        self.problem(path, value, message)
        return None

    def hours(self, value: Any, path: str) -> tuple[time, time]:
        if not isinstance(value, list | tuple) or len(value) != 2:
            self.problem(path, value, "must be [start, end] times of day")
            return (time(9), time(17))
        start = self.clock_time(value[0], f"{path}[0]")
        end = self.clock_time(value[1], f"{path}[1]")
        if start is None or end is None:
            return (time(9), time(17))
        if not start < end:
            self.problem(path, value, "must start before it ends")
        return (start, end)

    def weights(self, value: Any, path: str) -> tuple[tuple[str, float], ...]:
        table = self.table(value, path)
        # Sorted, so that the order keys were written in (or a JSON round trip) changes nothing.
        out = tuple(sorted((str(k), self.nonneg(v, f"{path}.{k}")) for k, v in table.items()))
        if table and not sum(w for _, w in out) > 0:
            self.problem(path, value, "needs a positive weight")
        if not table and isinstance(value, Mapping):
            self.problem(path, value, "must not be empty")
        return out

    def items(self, value: Any, path: str, read: Callable[[Mapping[str, Any], str], T]) -> list[T]:
        if not isinstance(value, list):
            self.problem(path, value, "must be a list of tables")
            return []
        out = []
        for i, item in enumerate(value):
            sub = f"{path}[{i}]"
            if not isinstance(item, Mapping):
                self.problem(sub, item, "must be a table")
                continue
            out.append(read(item, sub))
        return out

    # -- sections ---------------------------------------------------------------------------

    def source(self, d: Mapping[str, Any], path: str) -> SourceSpec:
        self.unknown(d, path, ("key", "channel", "rate", "cost", "attributes"))
        attributes = self.table(d.get("attributes", {}), f"{path}.attributes")
        dists = []
        for name, dist in attributes.items():
            apath = f"{path}.attributes.{name}"
            if name not in LEAD_ATTRIBUTES:
                self.problem(apath, dist, f"is not a lead attribute ({', '.join(LEAD_ATTRIBUTES)})")
                continue
            weights = self.weights(dist, apath)
            if name == "employees":
                for value, _ in weights:
                    if not value.isdigit():
                        self.problem(f"{apath}.{value}", value, "must be a whole number")
            dists.append((name, weights))
        key = self.get(d, "key", path, self.text) or "?"
        return SourceSpec(
            key=key,
            channel=self.get(d, "channel", path, self.text, default=key) or key,
            rate=self.get(d, "rate", path, self.nonneg),
            cost=self.get(d, "cost", path, self.amount, default="0"),
            attributes=tuple(sorted(dists)),
        )

    def team(self, d: Mapping[str, Any], path: str) -> TeamSpec:
        self.unknown(
            d,
            path,
            ("key", "role", "reps", "hours", "calls_per_day", "meetings_per_day", "cases_at_once"),
        )
        role = self.get(d, "role", path, self.text)
        if role is not None and role not in _ROLES:
            self.problem(f"{path}.role", role, f"must be one of {', '.join(_ROLES)}")
        return TeamSpec(
            key=self.get(d, "key", path, self.text) or "?",
            role=role or "sdr",
            reps=self.get(d, "reps", path, self.some) or 1,
            hours=self.get(d, "hours", path, self.hours, default=(time(9), time(17))),
            calls_per_day=self.get(d, "calls_per_day", path, self.some, default=60),
            meetings_per_day=self.get(d, "meetings_per_day", path, self.some, default=4),
            cases_at_once=self.get(d, "cases_at_once", path, self.some, default=3),
        )

    def step(self, d: Mapping[str, Any], path: str) -> CadenceStepSpec:
        keys = ("kind", "business_days", "connect", "reply", "meeting", "opt_out")
        self.unknown(d, path, keys)
        kind = self.get(d, "kind", path, self.text)
        if kind is not None and kind not in ("call", "email"):
            self.problem(f"{path}.kind", kind, "must be 'call' or 'email'")
        step = CadenceStepSpec(
            kind=kind or "call",
            business_days=self.get(d, "business_days", path, self.count, default=1),
            connect=self.get(d, "connect", path, self.probability, default=0.0),
            reply=self.get(d, "reply", path, self.probability, default=0.0),
            meeting=self.get(d, "meeting", path, self.probability, default=0.0),
            opt_out=self.get(d, "opt_out", path, self.probability, default=0.0),
        )
        if step.connect + step.reply + step.meeting + step.opt_out > 1.0 + 1e-12:
            self.problem(path, dict(d), "outcome probabilities add up to more than 1")
        return step

    def stage(self, d: Mapping[str, Any], path: str) -> StageSpec:
        self.unknown(d, path, ("key", "advance", "days", "when"))
        key = self.get(d, "key", path, self.text)
        if key is not None and key not in _OPEN_STAGES:
            self.problem(f"{path}.key", key, f"must be an open stage ({', '.join(_OPEN_STAGES)})")

        def when(w: Mapping[str, Any], wpath: str) -> AttributeRule:
            self.unknown(w, wpath, ("rule", "advance", "days"))
            return AttributeRule(
                rule=self.get(w, "rule", wpath, self.rule) or "true",
                advance=self.get(w, "advance", wpath, self.probability),
                days=self.get(w, "days", wpath, self.nonneg),
            )

        return StageSpec(
            key=key or "?",
            advance=self.get(d, "advance", path, self.probability),
            days=self.get(d, "days", path, self.nonneg),
            when=tuple(self.get(d, "when", path, lambda v, p: self.items(v, p, when), default=[])),
        )

    def pipeline(self, value: Any, path: str) -> PipelineSpec:
        d = self.table(value, path)
        self.unknown(d, path, ("amount", "spread", "stages", "lost_reasons"))
        stages = tuple(self.get(d, "stages", path, lambda v, p: self.items(v, p, self.stage)) or ())
        keys = [s.key for s in stages]
        if set(keys) <= set(_OPEN_STAGES) and keys != [k for k in _OPEN_STAGES if k in keys]:
            self.problem(f"{path}.stages", keys, "must follow the pipeline's order")
        if not stages and "stages" in d:
            self.problem(f"{path}.stages", [], "must not be empty")
        reasons = self.get(d, "lost_reasons", path, self.strings, default=None)
        return PipelineSpec(
            amount=self.get(d, "amount", path, self.amount),
            spread=self.get(d, "spread", path, self.probability, default=0.5),
            stages=stages,
            lost_reasons=reasons or ("no budget", "chose a competitor", "no decision"),
        )

    def strings(self, value: Any, path: str) -> tuple[str, ...] | None:
        if not isinstance(value, list) or not value:
            self.problem(path, value, "must be a non-empty list of strings")
            return None
        return tuple(self.text(v, f"{path}[{i}]") or "?" for i, v in enumerate(value))

    def service(self, value: Any, path: str) -> ServiceSpec:
        d = self.table(value, path)
        keys = (
            "existing_customers",
            "cases_per_customer_per_month",
            "priorities",
            "reply_hours",
            "resolve_hours",
            "team",
            "sla",
        )
        self.unknown(d, path, keys)
        priorities = self.get(d, "priorities", path, self.weights, default=(("normal", 1.0),))
        for name, _ in priorities:
            if name not in PRIORITIES:
                self.problem(f"{path}.priorities.{name}", name, f"must be one of {PRIORITIES}")

        def sla(s: Mapping[str, Any], spath: str) -> SlaSpec:
            self.unknown(s, spath, ("priority", "first_reply_hours", "resolution_hours"))
            priority = self.get(s, "priority", spath, self.text)
            if priority is not None and priority not in PRIORITIES:
                self.problem(f"{spath}.priority", priority, f"must be one of {PRIORITIES}")
            return SlaSpec(
                priority=priority or "normal",
                first_reply_hours=self.get(s, "first_reply_hours", spath, self.positive),
                resolution_hours=self.get(s, "resolution_hours", spath, self.positive),
            )

        return ServiceSpec(
            existing_customers=self.get(d, "existing_customers", path, self.count, default=0),
            cases_per_customer_per_month=self.get(
                d, "cases_per_customer_per_month", path, self.nonneg
            ),
            priorities=priorities,
            reply_hours=self.get(d, "reply_hours", path, self.positive),
            resolve_hours=self.get(d, "resolve_hours", path, self.positive),
            team=self.get(d, "team", path, self.text) or "?",
            sla=tuple(self.get(d, "sla", path, lambda v, p: self.items(v, p, sla), default=[])),
        )

    def positive(self, value: Any, path: str) -> float:
        out = self.nonneg(value, path)
        if out == 0 and isinstance(value, int | float) and not isinstance(value, bool):
            self.problem(path, value, "must be > 0")
        return out

    def scenario(self) -> Scenario:
        d = self.table(self.root, "")
        top = (
            "name",
            "start",
            "days",
            "timezone",
            "currency",
            "holidays",
            "sources",
            "scoring",
            "qualification",
            "routing",
            "teams",
            "cadence",
            "pipeline",
            "service",
            "parts",
            "variants",
        )
        self.unknown(d, "", top)
        tz = self.get(d, "timezone", "", self.text, default="UTC") or "UTC"
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem("timezone", tz, "is not an IANA time zone")
        currency = self.get(d, "currency", "", self.text, default="EUR") or "EUR"
        from salescore._iso4217 import MINOR_UNITS

        if currency not in MINOR_UNITS:
            self.problem("currency", currency, "is not an ISO 4217 currency code")
        days = self.get(d, "days", "", self.some)
        holidays = self.get(
            d,
            "holidays",
            "",
            lambda v, p: (
                [self.day(x, f"{p}[{i}]") for i, x in enumerate(v)]
                if isinstance(v, list)
                else self.problem(p, v, "must be a list of dates")
            ),
            default=[],
        )
        sources = self.get(d, "sources", "", lambda v, p: self.items(v, p, self.source))
        teams = self.get(d, "teams", "", lambda v, p: self.items(v, p, self.team))
        self.unique(sources, "sources")
        self.unique(teams, "teams")
        team_keys = {t.key: t.role for t in teams or ()}
        scoring = self.table(d.get("scoring", {}), "scoring")
        self.unknown(scoring, "scoring", ("mql", "criteria"))

        def criterion(c: Mapping[str, Any], path: str) -> Criterion:
            self.unknown(c, path, ("key", "rule", "points"))
            points = self.get(c, "points", path, lambda v, p: self.number(v, p, -1e9))
            return Criterion(
                self.get(c, "key", path, self.text) or "?",
                self.get(c, "rule", path, self.rule) or "true",
                points,
            )

        qualification = self.table(d.get("qualification", {}), "qualification")
        self.unknown(qualification, "qualification", ("items",))

        def item(c: Mapping[str, Any], path: str) -> QualificationItem:
            self.unknown(c, path, ("key", "rule", "confirmed"))
            return QualificationItem(
                self.get(c, "key", path, self.text) or "?",
                self.get(c, "rule", path, self.rule, default=None),
                self.get(c, "confirmed", path, self.probability, default=1.0),
            )

        routing = self.table(d.get("routing", {}), "routing")
        self.unknown(routing, "routing", ("default_team", "deal_team", "rules"))

        def route(c: Mapping[str, Any], path: str) -> RouteSpec:
            self.unknown(c, path, ("rule", "team"))
            return RouteSpec(
                self.get(c, "rule", path, self.rule) or "true",
                self.team_ref(
                    self.get(c, "team", path, self.text), f"{path}.team", team_keys, "sdr"
                ),
            )

        default_team = self.team_ref(
            self.get(routing, "default_team", "routing", self.text),
            "routing.default_team",
            team_keys,
            "sdr",
        )
        deal_team = self.team_ref(
            self.get(routing, "deal_team", "routing", self.text),
            "routing.deal_team",
            team_keys,
            "ae",
        )
        cadence = self.get(d, "cadence", "", lambda v, p: self.items(v, p, self.step), [])
        if cadence == [] and isinstance(d.get("cadence"), list):
            self.problem("cadence", [], "must have at least one step")
        service = None
        if "service" in d:
            service = self.service(d["service"], "service")
            self.team_ref(service.team, "service.team", team_keys, "support_agent")
            sla_priorities = [s.priority for s in service.sla]
            if len(set(sla_priorities)) != len(sla_priorities):
                self.problem("service.sla", sla_priorities, "names a priority twice")
        parts = tuple(
            self.get(d, "parts", "", lambda v, p: self.items(v, p, self.part), default=[])
        )
        if parts:
            self.check_parts(parts, tuple(sources or ()), tuple(teams or ()), service)
        elif "parts" in d and isinstance(d["parts"], list):
            self.problem("parts", [], "must not be empty (leave it out for one organisation)")
        variants = self.table(d.get("variants", {}), "variants")
        variant_items = []
        for name, overrides in variants.items():
            table = self.table(overrides, f"variants.{name}")
            flat = tuple(sorted((str(k), _freeze(_plain(v))) for k, v in _flatten(table)))
            variant_items.append((str(name), flat))
        criteria = self.get(
            scoring, "criteria", "scoring", lambda v, p: self.items(v, p, criterion), []
        )
        self.unique(criteria, "scoring.criteria")
        # The engine builds a qualification framework, which needs an item.
        items = self.get(
            qualification, "items", "qualification", lambda v, p: self.items(v, p, item)
        )
        if items == [] and isinstance(qualification.get("items"), list):
            self.problem("qualification.items", [], "must have at least one item")
        self.unique(items, "qualification.items")
        built = Scenario(
            name=self.get(d, "name", "", self.text) or "?",
            start=self.get(d, "start", "", self.day) or date(2000, 1, 3),
            days=days or 1,
            timezone=tz,
            currency=currency,
            holidays=tuple(h for h in holidays or () if h is not None),
            sources=tuple(sources or ()),
            criteria=tuple(criteria),
            mql=self.get(scoring, "mql", "scoring", self.nonneg, default=0.0),
            qualification=tuple(items or ()),
            routes=tuple(
                self.get(routing, "rules", "routing", lambda v, p: self.items(v, p, route), [])
            ),
            default_team=default_team,
            deal_team=deal_team,
            teams=tuple(teams or ()),
            cadence=tuple(cadence or ()),
            pipeline=self.pipeline(d.get("pipeline"), "pipeline")
            if "pipeline" in d
            else self.missing_pipeline(),
            service=service,
            parts=parts,
            variants=tuple(sorted(variant_items)),
            data=json.dumps(_plain(dict(d)), sort_keys=True),
        )
        if self.errors:
            raise ValidationError(self.errors, subject="Scenario")
        # Each variant must give a good scenario: check them now.
        for name, overrides in built.variants:
            plain = json.loads(built.data)
            del plain["variants"]
            try:
                _Reader(_overridden(plain, dict(overrides), f"variants.{name}")).scenario()
            except ValidationError as exc:
                raise ValidationError(
                    [
                        e if e.path.startswith("variants.") else e.prefixed(f"variants.{name}")
                        for e in exc.errors
                    ],
                    subject="Scenario",
                ) from None
        return built

    def part(self, d: Mapping[str, Any], path: str) -> PartSpec:
        self.unknown(d, path, ("key", "sources", "teams", "existing_customers"))
        sources = self.get(d, "sources", path, self.strings)
        teams = self.get(d, "teams", path, self.strings)
        return PartSpec(
            key=self.get(d, "key", path, self.text) or "?",
            sources=sources or (),
            teams=teams or (),
            existing_customers=self.get(d, "existing_customers", path, self.count, default=0),
        )

    def check_parts(
        self,
        parts: tuple[PartSpec, ...],
        sources: tuple[SourceSpec, ...],
        teams: tuple[TeamSpec, ...],
        service: ServiceSpec | None,
    ) -> None:
        """Every source and team in exactly one part; each part can work on its own."""
        role = {t.key: t.role for t in teams}
        owner: dict[tuple[str, str], str] = {}
        seen: set[str] = set()
        for i, part in enumerate(parts):
            path = f"parts[{i}]"
            if part.key in seen:
                self.problem(f"{path}.key", part.key, f"part {part.key!r} is named twice")
            seen.add(part.key)
            for kind, names, known in (
                ("source", part.sources, {s.key for s in sources}),
                ("team", part.teams, set(role)),
            ):
                for j, name in enumerate(names):
                    where = f"{path}.{kind}s[{j}]"
                    if name not in known:
                        self.problem(where, name, f"{name!r} is not a {kind} of the scenario")
                    elif (kind, name) in owner:
                        other = owner[kind, name]
                        self.problem(where, name, f"{kind} {name!r} is already in part {other!r}")
                    else:
                        owner[kind, name] = part.key
            needed = ["sdr", "ae"] + (["support_agent"] if service is not None else [])
            roles = {role.get(t) for t in part.teams}
            for r in needed:
                if part.teams and r not in roles:
                    self.problem(f"{path}.teams", list(part.teams), f"needs a team of role {r!r}")
        for i, s in enumerate(sources):
            if ("source", s.key) not in owner:
                self.problem(f"sources[{i}].key", s.key, f"source {s.key!r} is in no part")
        for i, t in enumerate(teams):
            if ("team", t.key) not in owner:
                self.problem(f"teams[{i}].key", t.key, f"team {t.key!r} is in no part")
        if service is not None and service.existing_customers:
            self.problem(
                "service.existing_customers",
                service.existing_customers,
                "must be left out with parts: give each part its existing_customers",
            )

    def missing_pipeline(self) -> PipelineSpec:
        self.problem("pipeline", None, "is required")
        return PipelineSpec(amount="0", spread=0.0, stages=())

    def team_ref(self, key: str | None, path: str, teams: Mapping[str, str], role: str = "") -> str:
        if key is None:
            return "?"
        if key not in teams:
            self.problem(path, key, "names no team")
        elif role and teams[key] != role:
            self.problem(path, key, f"must name a team of role {role!r}")
        return key


def _flatten(table: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.extend(_flatten(value, name + "."))
        else:
            out.append((name, value))
    return out


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value
