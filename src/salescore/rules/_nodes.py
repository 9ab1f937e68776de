"""The rule tree: frozen attrs nodes that validate themselves; see ``docs/rules.md``.

Each form and use of a tree lives in its own module below this one and
dispatches on the nodes' ``tag``: the text syntax (``_text``), the JSON form
(``_json``), the compiler (``_compile``), the interpreter and explanations
(``_interpret``) and schema checks (``_schema``). The readers build nodes
through :data:`NODES`, so none of them imports this module.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Final, NoReturn, TypeAlias

import attrs

from salescore._validation import Checker
from salescore.errors import ValidationError
from salescore.rules._compile import compile_rule
from salescore.rules._interpret import explain as _explain
from salescore.rules._json import read_dict, write_dict
from salescore.rules._schema import check_rule
from salescore.rules._text import FUNCTIONS, KEYWORDS, MAX_DEPTH, operand_text, rule_text
from salescore.rules._truth import Truth
from salescore.rules._values import kind_by_type

if TYPE_CHECKING:
    from salescore.rules._explain import Explanation
    from salescore.rules._schema import RuleSchema, SchemaSource

__all__ = [
    "KEYWORDS",
    "MAX_DEPTH",
    "MAX_DURATION",
    "NODES",
    "And",
    "Between",
    "Call",
    "Compare",
    "Constant",
    "Count",
    "Field",
    "In",
    "IsNull",
    "LiteralValue",
    "Match",
    "MatchOp",
    "Not",
    "Now",
    "Op",
    "Operand",
    "OperandHolder",
    "Or",
    "Rule",
    "Value",
]

#: The longest duration accepted: the span of the datetime range (years 1 to 9999).
MAX_DURATION: Final = datetime.max - datetime.min

_SEGMENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

#: The Python types a literal may have.
LiteralValue: TypeAlias = str | int | bool | Decimal | date | datetime | timedelta

CompiledRule: TypeAlias = Callable[..., Truth]


class Op(enum.StrEnum):
    """A comparison operator."""

    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


class MatchOp(enum.StrEnum):
    """A test of one text against another: ``contains``, ``starts with``, ``ends with``."""

    CONTAINS = "contains"
    STARTS_WITH = "starts_with"
    ENDS_WITH = "ends_with"


# --------------------------------------------------------------------------- validation helpers


def _check_path(c: Checker, path: Any, where: str) -> None:
    if not isinstance(path, str):
        c.add(where, path, "must be a string")
        return
    segments = path.split(".")
    for seg in segments:
        if seg.startswith("_"):
            c.add(where, path, "names must not start with '_'")
            return
        if not _SEGMENT.match(seg):
            c.add(where, path, "must be a dotted path of names made of letters, digits and '_'")
            return
    if segments[0] in KEYWORDS:
        c.add(where, path, f"{segments[0]!r} is a reserved word and cannot start a path")


def _check_duration(c: Checker, value: Any, where: str) -> None:
    if not isinstance(value, timedelta):
        c.add(where, value, "must be a timedelta")
    elif value.microseconds:
        c.add(where, value, "must be a whole number of seconds")
    elif abs(value) > MAX_DURATION:
        c.add(where, value, f"must be at most {MAX_DURATION.days} days long")


def _convert_literal(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return value  # refused by the validator
        return Decimal(str(value))
    return value


def _literal_key(value: Any) -> tuple[str, Any]:
    if isinstance(value, datetime):
        return ("datetime", value.isoformat())
    if isinstance(value, Decimal):
        return ("Decimal", str(value))
    return (type(value).__name__, value)


def _fail_bool(self: object) -> NoReturn:
    raise TypeError(
        f"{type(self).__name__} has no truth value; evaluate it, or compare rules with `==` "
        "only outside builder expressions"
    )


# --------------------------------------------------------------------------- operands


class Operand:
    """Base class of what a comparison compares: a field, a value, ``now``, a count or a call."""

    __slots__ = ()

    #: The node's kind, which the forms and evaluators dispatch on.
    tag: ClassVar[str]

    def to_text(self) -> str:
        """Return the operand in the rule syntax."""
        return operand_text(self)

    def to_dict(self) -> dict[str, Any]:
        """Return the operand's JSON form."""
        return write_dict(self)

    def _depth(self) -> int:
        return 0

    @property
    def needs_at(self) -> bool:
        """Whether evaluating this operand needs the evaluation's ``at``."""
        return False

    def __str__(self) -> str:
        return self.to_text()


@attrs.frozen
class Field(Operand):
    """A field of the subject, named by a dotted path.

    Args:
        path: ``employees``, ``account.industry`` or ``custom.budget``. Each
            segment is a name of letters, digits and ``_`` that starts with a
            letter; the first segment must not be a reserved word.

    Raises:
        ValidationError: The path is malformed.
    """

    tag: ClassVar[str] = "field"

    path: str

    def __attrs_post_init__(self) -> None:
        with Checker("Field") as c:
            _check_path(c, self.path, "path")

    @property
    def segments(self) -> tuple[str, ...]:
        """The path split at its dots."""
        return tuple(self.path.split("."))


@attrs.frozen
class Value(Operand):
    """A literal: str, int, bool, Decimal, date, aware datetime or duration.

    A float is turned into ``Decimal(str(x))`` and an enum member into its
    ``.value``. Two values are equal only when their types and texts are
    (``1``, ``True`` and ``Decimal('1.0')`` are three different literals).

    Args:
        value: The literal.

    Raises:
        ValidationError: Another type, a non-finite number, a naive datetime
            or a duration with fractions of a second.
    """

    tag: ClassVar[str] = "value"

    value: LiteralValue = attrs.field(converter=_convert_literal, eq=_literal_key)

    def __attrs_post_init__(self) -> None:
        v = self.value
        with Checker("Value") as c:
            if isinstance(v, bool | str | int | date):
                if isinstance(v, datetime):
                    c.aware(v, "value")
                elif isinstance(v, int) and not isinstance(v, bool):
                    c.check(v.bit_length() <= 3321, "value", "…", "must have at most 1000 digits")
            elif isinstance(v, Decimal):
                c.check(v.is_finite(), "value", v, "must be a finite number")
            elif isinstance(v, timedelta):
                _check_duration(c, v, "value")
            elif isinstance(v, float):
                c.add("value", v, "must be a finite number")
            else:
                c.add(
                    "value",
                    v,
                    "must be a str, int, bool, Decimal, date, aware datetime or timedelta",
                )

    @property
    def kind(self) -> str:
        """``str``, ``int``, ``decimal``, ``bool``, ``date``, ``datetime`` or ``duration``."""
        return kind_by_type(self.value, _LITERAL_KINDS, "duration")


_LITERAL_KINDS: Final[Mapping[type, str]] = {
    bool: "bool",
    str: "str",
    int: "int",
    Decimal: "decimal",
    datetime: "datetime",
    date: "date",
}


@attrs.frozen
class Now(Operand):
    """The evaluation's ``at``, optionally shifted: ``now``, ``now - 14d``.

    Args:
        offset: Added to ``at`` (negative for the past); whole seconds.

    Raises:
        ValidationError: ``offset`` is not a whole-second timedelta.
    """

    tag: ClassVar[str] = "now"

    offset: timedelta = timedelta(0)

    def __attrs_post_init__(self) -> None:
        with Checker("Now") as c:
            _check_duration(c, self.offset, "offset")

    @property
    def needs_at(self) -> bool:
        """Always true."""
        return True


@attrs.frozen
class Count(Operand):
    """How many related records match: ``count(interactions where … within 14d)``.

    The records are found like a field (on the subject, else in the context);
    each is an object or a mapping. A record counts when ``where`` is TRUE for
    it (UNKNOWN does not count) and, with ``within``, when its ``at`` lies in
    ``[at - within, at]``. Missing or null records make the count unknown.

    Args:
        relation: The path of the records, such as ``interactions``.
        where: A rule evaluated against each record, or ``None``.
        within: A non-negative whole-second window before ``at``, or ``None``.

    Raises:
        ValidationError: A malformed path, a non-rule ``where`` or a bad window.
    """

    tag: ClassVar[str] = "count"

    relation: str
    where: Rule | None = None
    within: timedelta | None = None

    def __attrs_post_init__(self) -> None:
        with Checker("Count") as c:
            _check_path(c, self.relation, "relation")
            if self.where is not None and not isinstance(self.where, Rule):
                c.add("where", self.where, "must be a Rule or None")
            if self.within is not None:
                _check_duration(c, self.within, "within")
                if isinstance(self.within, timedelta) and self.within < timedelta(0):
                    c.add("within", self.within, "must not be negative")

    def _depth(self) -> int:
        return self.where.depth if self.where is not None else 0

    @property
    def needs_at(self) -> bool:
        """Whether there is a window, or the ``where`` rule needs ``at``."""
        return self.within is not None or (self.where is not None and self.where.needs_at)


class OperandHolder:
    """Base of objects that stand for an operand while a rule is built (builders' terms).

    Attributes:
        operand: The operand node.
    """

    __slots__ = ("operand",)

    operand: Operand


def _as_operand(value: Any) -> Operand:
    if isinstance(value, OperandHolder):
        return value.operand
    if isinstance(value, Operand):
        return value
    return Value(value)


@attrs.frozen
class Call(Operand):
    """A function of one text operand: ``lower(email)``, ``upper(country)``.

    A text (or a member of a str-valued enum) is turned to lower or upper
    case; null, missing or any other kind of value gives null, so a rule over
    it is UNKNOWN.

    Args:
        function: ``"lower"`` or ``"upper"``.
        operand: What the function applies to (a field, a literal, a call).

    Raises:
        ValidationError: An unknown function or an operand that is not one.
    """

    tag: ClassVar[str] = "call"

    function: str
    operand: Operand = attrs.field(converter=_as_operand)

    def __attrs_post_init__(self) -> None:
        with Checker("Call") as c:
            c.check(
                self.function in FUNCTIONS,
                "function",
                self.function,
                f"must be one of {', '.join(FUNCTIONS)}",
            )
            _check_operand(c, self.operand, "operand")
            if isinstance(self.operand, Count):
                c.add("operand", self.operand, "must not be a count: it is a number")

    def _depth(self) -> int:
        return 1 + self.operand._depth()

    @property
    def needs_at(self) -> bool:
        """Whether the operand needs ``at``."""
        return self.operand.needs_at


# --------------------------------------------------------------------------- rules


class Rule:
    """A rule: a condition that is TRUE, FALSE or UNKNOWN for a subject.

    Rules are immutable and compare equal when their trees are equal. Write
    them with :func:`salescore.rules.parse`, with the builders
    (:func:`~salescore.rules.field`, :func:`~salescore.rules.all_of`, …) or
    from their JSON form (:meth:`from_dict`); the three round-trip.
    Combine rules with ``&``, ``|`` and ``~``.

    ``rule.evaluate(subject, at=None, context=None) -> Truth`` evaluates the
    rule against a subject: an object (attributes) or a mapping (keys).
    ``at`` is the evaluation time, timezone-aware, required when the rule
    uses ``now`` or ``within``; ``context`` maps names to related data
    (``interactions``, ``account`` …), and a path whose first name is not on
    the subject is looked up there. The answer is UNKNOWN when a field it
    depends on is missing or null. It raises :class:`ValidationError` when
    ``at`` is naive, or missing but needed. The rule is compiled on first use
    (:meth:`compile`); ``evaluate`` then *is* the compiled function, so a call
    costs no more than the generated code.
    """

    __slots__ = ("_tree_depth", "evaluate")

    _tree_depth: int

    #: The node's kind, which the forms and evaluators dispatch on.
    tag: ClassVar[str]

    __bool__ = _fail_bool

    def __attrs_post_init__(self) -> None:
        with Checker(type(self).__name__) as c:
            self._validate(c)
        depth = 1 + self._child_depth()
        if depth > MAX_DEPTH:
            raise ValidationError.single(
                "rule", type(self).__name__, f"is nested deeper than {MAX_DEPTH} levels"
            )
        object.__setattr__(self, "_tree_depth", depth)

    def _validate(self, c: Checker) -> None:
        raise NotImplementedError

    def _child_depth(self) -> int:
        depths = [o._depth() for o in self._operands()] + [r.depth for r in self._rules()]
        return max(depths, default=0)

    @property
    def depth(self) -> int:
        """How deeply the tree is nested (a single comparison is 1)."""
        return self._tree_depth

    @property
    def needs_at(self) -> bool:
        """Whether evaluation needs ``at`` (the rule uses ``now`` or ``within``)."""
        return any(o.needs_at for o in self._operands()) or any(r.needs_at for r in self._rules())

    @property
    def fields(self) -> tuple[str, ...]:
        """The subject paths the rule reads, in order of first use.

        Relations counted by ``count(…)`` are included; fields read from the
        counted records are not.
        """
        seen: dict[str, None] = {}
        self._collect_fields(seen)
        return tuple(seen)

    def _collect_fields(self, seen: dict[str, None]) -> None:
        for o in self._operands():
            while isinstance(o, Call):
                o = o.operand
            if isinstance(o, Field):
                seen.setdefault(o.path, None)
            elif isinstance(o, Count):
                seen.setdefault(o.relation, None)
        for r in self._rules():
            r._collect_fields(seen)

    def _operands(self) -> tuple[Operand, ...]:
        return ()

    def _rules(self) -> tuple[Rule, ...]:
        return ()

    # ----------------------------------------------------------------- evaluation

    if TYPE_CHECKING:

        def evaluate(
            self,
            subject: Any,
            at: datetime | None = None,
            context: Mapping[str, Any] | None = None,
        ) -> Truth:
            """See the class docstring."""

    def __getattr__(self, name: str) -> Any:
        # ``evaluate`` is a slot holding the compiled function, filled on first
        # use: later calls go straight to the compiled code.
        if name == "evaluate":
            return self.compile()
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def compile(self) -> CompiledRule:
        """Return the compiled evaluator, building and caching it on first call.

        Returns:
            A function ``(subject, at=None, context=None) -> Truth``: the
            same function that :meth:`evaluate` is.
        """
        try:
            fn: CompiledRule = _EVALUATE_SLOT.__get__(self, type(self))
        except AttributeError:
            fn = compile_rule(self)
            object.__setattr__(self, "evaluate", fn)
        return fn

    def explain(
        self, subject: Any, at: datetime | None = None, context: Mapping[str, Any] | None = None
    ) -> Explanation:
        """Evaluate the rule and say why, clause by clause.

        Args:
            subject: An object or a mapping.
            at: The evaluation time (aware); required for ``now``/``within``.
            context: Related data by name.

        Returns:
            An :class:`~salescore.rules.Explanation` with the result, every
            clause's result and the values it saw, and ``missing_fields``:
            the missing or null fields that leave the result UNKNOWN.

        Raises:
            ValidationError: ``at`` is naive, or missing when needed.
        """
        return _explain(self, subject, at, context)

    def check(self, schema: RuleSchema | SchemaSource | type) -> Rule:
        """Check the rule against a schema of the subject's fields.

        Args:
            schema: Field path → :class:`~salescore.rules.FieldKind` (a nested
                mapping for a relation's records), or a class or object with
                a ``__rule_schema__()`` method, such as ``Lead``.

        Returns:
            The rule itself, so that checks can be chained.

        Raises:
            ValidationError: A malformed schema; every unknown field (with
                the nearest spelling), and every comparison of a field with a
                value of the wrong kind, by field path.
        """
        check_rule(self, schema)
        return self

    # ----------------------------------------------------------------- forms

    def to_text(self) -> str:
        """Return the rule in the text syntax; ``parse(r.to_text()) == r``."""
        return rule_text(self)

    def to_dict(self) -> dict[str, Any]:
        """Return the rule's JSON form: nested dicts tagged with ``"type"``.

        The result is ``json.dumps``-able and ``Rule.from_dict`` reads it back
        as an equal rule.
        """
        return write_dict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Rule:
        """Build a rule from its JSON form (see :meth:`to_dict`).

        Args:
            data: The decoded JSON.

        Returns:
            The rule.

        Raises:
            ValidationError: Every problem found, with paths such as
                ``rules[1].left.kind``.
        """
        rule = read_dict(data, NODES)
        if not isinstance(rule, cls):
            raise ValidationError.single("type", data.get("type"), f"is not a {cls.__name__} rule")
        return rule

    def __str__(self) -> str:
        return self.to_text()

    # ----------------------------------------------------------------- combinators

    def __and__(self, other: Rule) -> Rule:
        if not isinstance(other, Rule):
            return NotImplemented
        return And((self, other))

    def __or__(self, other: Rule) -> Rule:
        if not isinstance(other, Rule):
            return NotImplemented
        return Or((self, other))

    def __invert__(self) -> Rule:
        return Not(self)


_EVALUATE_SLOT: Any = Rule.__dict__["evaluate"]


def _flatten(kind: type[And] | type[Or], rules: Iterable[Any]) -> tuple[Any, ...]:
    out: list[Any] = []
    for r in rules:
        if type(r) is kind:
            out.extend(r.rules)
        else:
            out.append(r)
    return tuple(out)


def _check_operand(c: Checker, value: Any, where: str) -> None:
    if not isinstance(value, Operand):
        c.add(where, value, "must be an operand (Field, Value, Now, Count or Call)")


def _as_member(cls: type[enum.StrEnum], value: Any) -> Any:
    if isinstance(value, str) and value in cls._value2member_map_:
        return cls(value)
    return value


def _as_op(value: Any) -> Any:
    return _as_member(Op, value)


def _as_match_op(value: Any) -> Any:
    return _as_member(MatchOp, value)


@attrs.frozen
class Compare(Rule):
    """``left op right``, for example ``employees >= 50``.

    Args:
        left: The left operand.
        op: One of ``== != < <= > >=``.
        right: The right operand.
    """

    tag: ClassVar[str] = "compare"

    left: Operand = attrs.field(converter=_as_operand)
    op: Op = attrs.field(converter=_as_op)
    right: Operand = attrs.field(converter=_as_operand)

    def _validate(self, c: Checker) -> None:
        _check_operand(c, self.left, "left")
        c.check(isinstance(self.op, Op), "op", self.op, "must be one of == != < <= > >=")
        _check_operand(c, self.right, "right")

    def _operands(self) -> tuple[Operand, ...]:
        return (self.left, self.right)


def _as_values(values: Any) -> Any:
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        return values
    return tuple(v if isinstance(v, Value) else Value(v) for v in values)


@attrs.frozen
class In(Rule):
    """``operand in [a, b, …]`` (or ``not in`` when ``negated``).

    Args:
        operand: What is looked for.
        values: The literals (plain values are wrapped in :class:`Value`).
        negated: ``True`` for ``not in``.
    """

    tag: ClassVar[str] = "in"

    operand: Operand = attrs.field(converter=_as_operand)
    values: tuple[Value, ...] = attrs.field(converter=_as_values)
    negated: bool = False

    def _validate(self, c: Checker) -> None:
        _check_operand(c, self.operand, "operand")
        c.check(
            isinstance(self.values, tuple) and all(isinstance(v, Value) for v in self.values),
            "values",
            self.values,
            "must be a sequence of literals",
        )
        c.check(isinstance(self.negated, bool), "negated", self.negated, "must be a bool")

    def _operands(self) -> tuple[Operand, ...]:
        return (self.operand,)


@attrs.frozen
class Between(Rule):
    """``operand between low and high``, both ends included.

    It means ``operand >= low and operand <= high`` (Kleene ``and``).

    Args:
        operand: The tested value.
        low: The lower bound.
        high: The upper bound.
    """

    tag: ClassVar[str] = "between"

    operand: Operand = attrs.field(converter=_as_operand)
    low: Operand = attrs.field(converter=_as_operand)
    high: Operand = attrs.field(converter=_as_operand)

    def _validate(self, c: Checker) -> None:
        _check_operand(c, self.operand, "operand")
        _check_operand(c, self.low, "low")
        _check_operand(c, self.high, "high")

    def _operands(self) -> tuple[Operand, ...]:
        return (self.operand, self.low, self.high)


@attrs.frozen
class Match(Rule):
    """``operand contains pattern``, ``… starts with …``, ``… ends with …``: a text test.

    Case matters; use ``lower()`` on both sides to ignore it. UNKNOWN when
    either side is null or missing; FALSE when either is not text (a member
    of a str-valued enum counts as its value).

    Args:
        operand: The text tested.
        op: :class:`MatchOp` (or its value: ``"contains"``, ``"starts_with"``,
            ``"ends_with"``).
        pattern: The text looked for (a literal, a field or a call).
    """

    tag: ClassVar[str] = "match"

    operand: Operand = attrs.field(converter=_as_operand)
    op: MatchOp = attrs.field(converter=_as_match_op)
    pattern: Operand = attrs.field(converter=_as_operand)

    def _validate(self, c: Checker) -> None:
        _check_operand(c, self.operand, "operand")
        c.check(
            isinstance(self.op, MatchOp),
            "op",
            self.op,
            "must be one of contains, starts_with, ends_with",
        )
        _check_operand(c, self.pattern, "pattern")

    def _operands(self) -> tuple[Operand, ...]:
        return (self.operand, self.pattern)


def _as_field(value: Any) -> Any:
    if isinstance(value, OperandHolder):
        value = value.operand
    if isinstance(value, str):
        return Field(value)
    return value


@attrs.frozen
class IsNull(Rule):
    """``field is null`` (or ``is not null`` when ``negated``); never UNKNOWN.

    A missing field counts as null.

    Args:
        field: The field (a path string is accepted).
        negated: ``True`` for ``is not null``.
    """

    tag: ClassVar[str] = "is_null"

    field: Field = attrs.field(converter=_as_field)
    negated: bool = False

    def _validate(self, c: Checker) -> None:
        c.check(isinstance(self.field, Field), "field", self.field, "must be a Field")
        c.check(isinstance(self.negated, bool), "negated", self.negated, "must be a bool")

    def _operands(self) -> tuple[Operand, ...]:
        return (self.field,)


class _Junction(Rule):
    """What ``and`` and ``or`` share: two or more child rules."""

    __slots__ = ()

    rules: tuple[Rule, ...]

    def _validate(self, c: Checker) -> None:
        rules: Any = self.rules
        if not isinstance(rules, tuple):
            c.add("rules", rules, "must be a sequence of rules")
            return
        c.check(len(rules) >= 2, "rules", rules, "needs at least two rules")
        for i, r in enumerate(rules):
            if not isinstance(r, Rule):
                c.add(f"rules[{i}]", r, "must be a Rule")

    def _rules(self) -> tuple[Rule, ...]:
        return self.rules


def _as_and_rules(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return _flatten(And, value)
    return value


def _as_or_rules(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return _flatten(Or, value)
    return value


@attrs.frozen
class And(_Junction):
    """All of the rules (Kleene ``and``): FALSE if any is FALSE, else UNKNOWN if any is.

    Nested ``And`` rules are flattened into this one (``and`` is associative),
    so ``And([a, And([b, c])]) == And([a, b, c])``.

    Args:
        rules: Two or more rules.
    """

    tag: ClassVar[str] = "and"

    rules: tuple[Rule, ...] = attrs.field(converter=_as_and_rules)


@attrs.frozen
class Or(_Junction):
    """Any of the rules (Kleene ``or``): TRUE if any is TRUE, else UNKNOWN if any is.

    Nested ``Or`` rules are flattened into this one.

    Args:
        rules: Two or more rules.
    """

    tag: ClassVar[str] = "or"

    rules: tuple[Rule, ...] = attrs.field(converter=_as_or_rules)


@attrs.frozen
class Not(Rule):
    """The negation of a rule; ``not UNKNOWN`` is UNKNOWN.

    Args:
        rule: The negated rule.
    """

    tag: ClassVar[str] = "not"

    rule: Rule

    def _validate(self, c: Checker) -> None:
        c.check(isinstance(self.rule, Rule), "rule", self.rule, "must be a Rule")

    def _rules(self) -> tuple[Rule, ...]:
        return (self.rule,)


@attrs.frozen
class Constant(Rule):
    """A rule that is always TRUE (``true``) or always FALSE (``false``).

    Args:
        value: The answer.
    """

    tag: ClassVar[str] = "constant"

    value: bool

    def _validate(self, c: Checker) -> None:
        c.check(isinstance(self.value, bool), "value", self.value, "must be a bool")


class _Kit:
    """The node classes, handed to the readers (``_text``, ``_json``)."""

    __slots__ = ()

    And = And
    Between = Between
    Call = Call
    Compare = Compare
    Constant = Constant
    Count = Count
    Field = Field
    In = In
    IsNull = IsNull
    Match = Match
    Not = Not
    Now = Now
    Or = Or
    Value = Value


#: The node classes the readers build rules from.
NODES: Final = _Kit()
