"""The rule text syntax: a hand-written tokenizer, a recursive-descent parser and the writer.

Nothing here evaluates the text as Python; the parser only builds rule nodes,
through the node classes it is handed (``NodeKit``), and the writer turns a
tree back into text that parses to an equal tree. See ``docs/rules.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final, NoReturn, Protocol

import attrs

from salescore.errors import RuleSyntaxError, ValidationError

if TYPE_CHECKING:
    from salescore.rules import _nodes as nodes
    from salescore.rules._nodes import LiteralValue, Operand, Rule

__all__ = [
    "FUNCTIONS",
    "KEYWORDS",
    "MATCH_WORDS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "NodeKit",
    "duration_text",
    "literal_text",
    "operand_text",
    "read_text",
    "rule_text",
]

#: The deepest rule tree accepted (by builders, ``from_dict`` and ``parse``).
MAX_DEPTH: Final = 64

#: The longest rule text accepted, in characters.
MAX_LENGTH: Final = 10_000

#: Words that cannot start a field path (they may follow a dot).
KEYWORDS: Final = frozenset(
    {"and", "or", "not", "in", "is", "null", "true", "false", "between", "now", "within", "where"}
)

#: The functions of one text operand: ``lower(email)``.
FUNCTIONS: Final = ("lower", "upper")

#: How each text test is written: ``email ends with '@acme.io'``.
MATCH_WORDS: Final = {
    "contains": "contains",
    "starts_with": "starts with",
    "ends_with": "ends with",
}


class NodeKit(Protocol):
    """The node classes a reader builds rules from (supplied by the tree's module)."""

    And: type[nodes.And]
    Between: type[nodes.Between]
    Call: type[nodes.Call]
    Compare: type[nodes.Compare]
    Constant: type[nodes.Constant]
    Count: type[nodes.Count]
    Field: type[nodes.Field]
    In: type[nodes.In]
    IsNull: type[nodes.IsNull]
    Match: type[nodes.Match]
    Not: type[nodes.Not]
    Now: type[nodes.Now]
    Or: type[nodes.Or]
    Value: type[nodes.Value]


# --------------------------------------------------------------------------- writing


def _string_text(value: str) -> str:
    out = ["'"]
    for ch in value:
        escaped = _WRITTEN_ESCAPES.get(ch)
        if escaped is not None:
            out.append(escaped)
        elif not ch.isprintable():
            code = ord(ch)
            out.append(f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    out.append("'")
    return "".join(out)


def duration_text(value: timedelta) -> str:
    """Format a whole-second duration in the rule syntax (``14d``, ``-3h``, ``90s``).

    Args:
        value: A timedelta without fractions of a second.

    Returns:
        The text, in the largest unit that divides it exactly.
    """
    seconds = value.days * 86400 + value.seconds
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{sign}{seconds // size}{unit}"
    return f"{sign}{seconds}s"


def literal_text(value: LiteralValue) -> str:
    """Format a literal value in the rule syntax.

    Args:
        value: A validated literal.

    Returns:
        Text that :func:`salescore.rules.parse` reads back as an equal literal.
    """
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _string_text(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        text = str(value)
        if "." in text or "E" in text:
            return text
        return f"decimal('{text}')"
    if isinstance(value, datetime):
        return f"datetime('{value.isoformat()}')"
    if isinstance(value, date):
        return f"date('{value.isoformat()}')"
    return duration_text(value)


def operand_text(operand: Operand) -> str:
    """Return an operand in the rule syntax."""
    return _OPERAND_TEXT[operand.tag](operand)


def rule_text(rule: Rule) -> str:
    """Return a rule in the rule syntax; :func:`read_text` reads it back as an equal rule."""
    return _RULE_TEXT[rule.tag](rule)


def _now_text(o: nodes.Now) -> str:
    if not o.offset:
        return "now"
    if o.offset < timedelta(0):
        return f"now - {duration_text(-o.offset)}"
    return f"now + {duration_text(o.offset)}"


def _count_text(o: nodes.Count) -> str:
    text = f"count({o.relation}"
    if o.where is not None:
        text += f" where {rule_text(o.where)}"
    if o.within is not None:
        text += f" within {duration_text(o.within)}"
    return text + ")"


def _group(rule: Rule) -> str:
    text = rule_text(rule)
    return f"({text})" if rule.tag == "or" else text


def _not_text(r: nodes.Not) -> str:
    inner = rule_text(r.rule)
    return f"not ({inner})" if r.rule.tag in ("and", "or") else f"not {inner}"


def _in_text(r: nodes.In) -> str:
    items = ", ".join(literal_text(v.value) for v in r.values)
    return f"{operand_text(r.operand)} {'not in' if r.negated else 'in'} [{items}]"


_OPERAND_TEXT: Final[dict[str, Callable[[Any], str]]] = {
    "field": lambda o: o.path,
    "value": lambda o: literal_text(o.value),
    "now": _now_text,
    "count": _count_text,
    "call": lambda o: f"{o.function}({operand_text(o.operand)})",
}

_RULE_TEXT: Final[dict[str, Callable[[Any], str]]] = {
    "compare": lambda r: f"{operand_text(r.left)} {r.op.value} {operand_text(r.right)}",
    "in": _in_text,
    "between": lambda r: (
        f"{operand_text(r.operand)} between {operand_text(r.low)} and {operand_text(r.high)}"
    ),
    "is_null": lambda r: f"{r.field.path} is {'not null' if r.negated else 'null'}",
    "match": lambda r: (
        f"{operand_text(r.operand)} {MATCH_WORDS[r.op.value]} {operand_text(r.pattern)}"
    ),
    "and": lambda r: " and ".join(_group(c) for c in r.rules),
    "or": lambda r: " or ".join(rule_text(c) for c in r.rules),
    "not": _not_text,
    "constant": lambda r: "true" if r.value else "false",
}


# --------------------------------------------------------------------------- reading

_UNITS: Final = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_IDENT_CHAR = re.compile(r"[A-Za-z0-9_]")
_COMPARISONS: Final = ("==", "!=", "<=", ">=", "<", ">")
_AFTER_OPERAND: Final = (
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "not in",
    "between",
    "is null",
    "is not null",
    "contains",
    "starts with",
    "ends with",
)
_OPERAND_START: Final = ("a field", "a literal", "now", "count(…)", "lower(…)", "upper(…)")
_ESCAPES: Final = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "r": "\r", "t": "\t", "0": "\0"}
#: What the writer escapes by a letter: the reader's escapes but ``\"`` and ``\0``.
_WRITTEN_ESCAPES: Final = {ch: "\\" + esc for esc, ch in _ESCAPES.items() if esc in "\\'nrt"}


@attrs.frozen
class _Token:
    kind: str  # num dur str ident op ( ) [ ] , . + - eof
    text: str
    pos: int
    value: Any = None


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text

    def error(self, pos: int, message: str, expected: Sequence[str] = ()) -> NoReturn:
        _raise(self.text, pos, message, expected)

    def tokens(self) -> list[_Token]:
        text = self.text
        n = len(text)
        i = 0
        out: list[_Token] = []
        while i < n:
            ch = text[i]
            if ch in " \t\r\n":
                i += 1
                continue
            if ch.isdigit() and ch.isascii():
                i = self._number(i, out)
                continue
            if ch in "'\"":
                i = self._string(i, out)
                continue
            if ch.isascii() and (ch.isalpha() or ch == "_"):
                m = _IDENT.match(text, i)
                assert m is not None
                out.append(_Token("ident", m.group(), i))
                i = m.end()
                continue
            two = text[i : i + 2]
            if two in ("==", "!=", "<=", ">="):
                out.append(_Token("op", two, i))
                i += 2
                continue
            if ch in "<>":
                out.append(_Token("op", ch, i))
                i += 1
                continue
            if ch in "()[],.+-":
                out.append(_Token(ch, ch, i))
                i += 1
                continue
            if ch == "=":
                self.error(i, "'=' is not an operator; compare with '=='", ("==",))
            if ch == "!":
                self.error(i, "'!' is not an operator; use 'not' or '!='", ("!=", "not"))
            if two == "&&":
                self.error(i, "use 'and' to combine rules", ("and",))
            if two == "||":
                self.error(i, "use 'or' to combine rules", ("or",))
            self.error(i, f"unexpected character {ch!r}")
        out.append(_Token("eof", "", n))
        return out

    def _number(self, i: int, out: list[_Token]) -> int:
        text = self.text
        m = _NUMBER.match(text, i)
        assert m is not None
        raw = m.group()
        end = m.end()
        plain = raw.isdigit()
        if end < len(text) and text[end] in _UNITS and plain:
            unit_end = end + 1
            if unit_end < len(text) and _IDENT_CHAR.match(text, unit_end):
                self.error(end, "a duration is a whole number and one unit: w, d, h, m or s")
            if len(raw) > 12:
                self.error(i, "duration too long")
            try:
                value = timedelta(seconds=int(raw) * _UNITS[text[end]])
            except OverflowError:
                self.error(i, "duration out of range")
            out.append(_Token("dur", text[i:unit_end], i, value))
            return unit_end
        if end < len(text) and _IDENT_CHAR.match(text, end):
            self.error(end, "a number must not run into a name; put a space between them")
        if len(raw) > 1000:
            self.error(i, "number too long (at most 1000 characters)")
        try:
            number: int | Decimal = int(raw) if plain else Decimal(raw)
        except (ValueError, ArithmeticError):
            self.error(i, "number out of range")
        out.append(_Token("num", raw, i, number))
        return end

    def _string(self, i: int, out: list[_Token]) -> int:
        text = self.text
        quote = text[i]
        j = i + 1
        parts: list[str] = []
        n = len(text)
        while True:
            if j >= n:
                self.error(i, "unterminated string", (quote,))
            ch = text[j]
            if ch == quote:
                out.append(_Token("str", text[i : j + 1], i, "".join(parts)))
                return j + 1
            if ch == "\\":
                if j + 1 >= n:
                    self.error(j, "unterminated escape", ("an escape such as \\n",))
                esc = text[j + 1]
                if esc in _ESCAPES:
                    parts.append(_ESCAPES[esc])
                    j += 2
                    continue
                if esc in "uU":
                    width = 4 if esc == "u" else 8
                    digits = text[j + 2 : j + 2 + width]
                    if len(digits) != width or not all(
                        c in "0123456789abcdefABCDEF" for c in digits
                    ):
                        self.error(j, f"\\{esc} needs {width} hex digits")
                    code = int(digits, 16)
                    if code > 0x10FFFF:
                        self.error(j, "code point out of range")
                    parts.append(chr(code))
                    j += 2 + width
                    continue
                self.error(j, f"unknown escape \\{esc}", ("\\\\", "\\'", '\\"', "\\n", "\\t"))
            parts.append(ch)
            j += 1


def _raise(text: str, pos: int, message: str, expected: Sequence[str] = ()) -> NoReturn:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    raise RuleSyntaxError(message, text=text, line=line, column=column, expected=expected)


class _Parser:
    def __init__(self, text: str, tokens: list[_Token], kit: NodeKit) -> None:
        self.k = kit
        self.text = text
        self.tokens = tokens
        self.i = 0
        self.nesting = 0

    # ----------------------------------------------------------------- helpers

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> _Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        tok = self.tokens[self.i]
        if tok.kind != "eof":
            self.i += 1
        return tok

    def is_word(self, word: str, tok: _Token | None = None) -> bool:
        t = self.tok if tok is None else tok
        return t.kind == "ident" and t.text == word

    def error(
        self, message: str, expected: Sequence[str] = (), tok: _Token | None = None
    ) -> NoReturn:
        t = self.tok if tok is None else tok
        _raise(self.text, t.pos, message, expected)

    def found(self, tok: _Token | None = None) -> str:
        t = self.tok if tok is None else tok
        return "the end of the rule" if t.kind == "eof" else repr(t.text)

    def expect(self, kind: str, what: str) -> _Token:
        if self.tok.kind != kind:
            self.error(f"expected {what}, found {self.found()}", (what,))
        return self.advance()

    def expect_word(self, word: str) -> _Token:
        if not self.is_word(word):
            self.error(f"expected '{word}', found {self.found()}", (word,))
        return self.advance()

    def build(self, tok: _Token, make: Any, *args: Any) -> Any:
        try:
            return make(*args)
        except ValidationError as exc:
            self.error("; ".join(e.message for e in exc.errors), tok=tok)

    def enter(self, tok: _Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            self.error(f"rule is nested deeper than {MAX_DEPTH} levels", tok=tok)

    # ----------------------------------------------------------------- rules

    def parse(self) -> Rule:
        if self.tok.kind == "eof":
            self.error("empty rule", ("a rule",))
        rule = self.or_expr()
        if self.tok.kind != "eof":
            self.trailing(("and", "or", "the end of the rule"))
        return rule

    def trailing(self, expected: tuple[str, ...]) -> NoReturn:
        if self.tok.kind == "op":
            self.error(
                "comparisons do not chain; combine them with 'and' or use 'between'",
                ("and", "or"),
            )
        self.error(f"expected {', '.join(expected)}, found {self.found()}", expected)

    def or_expr(self) -> Rule:
        return self.junction("or", self.and_expr, self.k.Or)

    def and_expr(self) -> Rule:
        return self.junction("and", self.not_expr, self.k.And)

    def junction(self, word: str, part: Callable[[], Rule], make: Any) -> Rule:
        """``part (word part)*``: one part as it is, more joined by ``make``."""
        start = self.tok
        rules = [part()]
        while self.is_word(word):
            self.advance()
            rules.append(part())
        if len(rules) == 1:
            return rules[0]
        return self.build(start, make, tuple(rules))  # type: ignore[no-any-return]

    def not_expr(self) -> Rule:
        nots: list[_Token] = []
        while self.is_word("not"):
            nots.append(self.advance())
        rule = self.primary()
        for tok in reversed(nots):
            rule = self.build(tok, self.k.Not, rule)
        return rule

    def primary(self) -> Rule:
        tok = self.tok
        if tok.kind == "(":
            self.enter(tok)
            self.advance()
            rule = self.or_expr()
            if self.tok.kind != ")":
                self.trailing(("and", "or", ")"))
            self.advance()
            self.nesting -= 1
            return rule
        if (self.is_word("true") or self.is_word("false")) and not self._continues(self.peek()):
            self.advance()
            return self.k.Constant(tok.text == "true")
        left = self.operand()
        return self.predicate(tok, left)

    def _continues(self, tok: _Token) -> bool:
        return tok.kind == "op" or (
            tok.kind == "ident"
            and tok.text in ("in", "not", "between", "is", "contains", "starts", "ends")
        )

    def predicate(self, start: _Token, left: Operand) -> Rule:
        tok = self.tok
        if tok.kind == "op":
            self.advance()
            if self.is_word("null"):
                word = "is not null" if tok.text == "!=" else "is null"
                self.error(f"null cannot be compared with {tok.text}; use '{word}'", (word,))
            right = self.operand()
            return self.build(start, self.k.Compare, left, tok.text, right)  # type: ignore[no-any-return]
        if self.is_word("contains"):
            self.advance()
            return self.build(start, self.k.Match, left, "contains", self.operand())  # type: ignore[no-any-return]
        if self.is_word("starts") or self.is_word("ends"):
            word = self.advance().text
            self.expect_word("with")
            return self.build(start, self.k.Match, left, f"{word}_with", self.operand())  # type: ignore[no-any-return]
        if self.is_word("in"):
            self.advance()
            return self.build(start, self.k.In, left, self.literal_list())  # type: ignore[no-any-return]
        if self.is_word("not"):
            self.advance()
            self.expect_word("in")
            values = self.literal_list()
            return self.build(start, self.k.In, left, values, True)  # type: ignore[no-any-return]
        if self.is_word("between"):
            self.advance()
            low = self.operand()
            self.expect_word("and")
            high = self.operand()
            return self.build(start, self.k.Between, left, low, high)  # type: ignore[no-any-return]
        if self.is_word("is"):
            self.advance()
            negated = False
            if self.is_word("not"):
                self.advance()
                negated = True
            self.expect_word("null")
            if left.tag != "field":
                self.error("only a field can be tested with 'is null'", tok=start)
            return self.build(start, self.k.IsNull, left, negated)  # type: ignore[no-any-return]
        self.error(
            f"expected a comparison after {left.to_text()!r}, found {self.found()}",
            _AFTER_OPERAND,
        )

    # ----------------------------------------------------------------- operands

    def operand(self) -> Operand:
        tok = self.tok
        if tok.kind == "ident":
            word = tok.text
            nxt = self.peek()
            if word in ("date", "datetime", "decimal") and nxt.kind == "(":
                return self.build(tok, self.k.Value, self.literal())  # type: ignore[no-any-return]
            if word == "count" and nxt.kind == "(":
                return self.count()
            if word in FUNCTIONS and nxt.kind == "(":
                return self.call()
            if word == "now":
                return self.now()
            if word in ("true", "false"):
                return self.build(tok, self.k.Value, self.literal())  # type: ignore[no-any-return]
            if word == "null":
                self.error("null is not a value; test for it with 'is null'", ("is null",))
            if word in KEYWORDS:
                self.error(f"expected an operand, found {self.found()}", _OPERAND_START)
            return self.path()
        if tok.kind in ("num", "dur", "str", "-"):
            return self.build(tok, self.k.Value, self.literal())  # type: ignore[no-any-return]
        self.error(f"expected an operand, found {self.found()}", _OPERAND_START)

    def path(self) -> nodes.Field:
        start = self.tok
        parts = [self.name()]
        while self.tok.kind == ".":
            self.advance()
            parts.append(self.name())
        return self.build(start, self.k.Field, ".".join(parts))  # type: ignore[no-any-return]

    def name(self) -> str:
        tok = self.tok
        if tok.kind != "ident":
            self.error(f"expected a name, found {self.found()}", ("a name",))
        if tok.text.startswith("_"):
            self.error("names must not start with '_'", ("a name",))
        self.advance()
        return tok.text

    def now(self) -> nodes.Now:
        start = self.advance()
        if self.tok.kind in ("+", "-") and self.peek().kind == "dur":
            sign = self.advance()
            dur = self.advance()
            delta: timedelta = dur.value if sign.kind == "+" else -dur.value
            return self.build(start, self.k.Now, delta)  # type: ignore[no-any-return]
        return self.k.Now()

    def call(self) -> Operand:
        start = self.advance()
        self.enter(start)
        self.expect("(", "'('")
        inner = self.operand()
        self.expect(")", "')'")
        self.nesting -= 1
        return self.build(start, self.k.Call, start.text, inner)  # type: ignore[no-any-return]

    def count(self) -> nodes.Count:
        start = self.advance()
        self.enter(start)
        self.expect("(", "'('")
        relation = self.path().path
        where: Rule | None = None
        within: timedelta | None = None
        if self.is_word("where"):
            self.advance()
            where = self.or_expr()
        if self.is_word("within"):
            self.advance()
            within = self.expect("dur", "a duration such as 14d").value
        if self.tok.kind != ")":
            wanted = ("and", "or", "within", ")") if where is not None else ("where", "within", ")")
            self.error(f"expected {', '.join(wanted)}, found {self.found()}", wanted)
        self.advance()
        self.nesting -= 1
        return self.build(start, self.k.Count, relation, where, within)  # type: ignore[no-any-return]

    def literal_list(self) -> tuple[nodes.Value, ...]:
        self.expect("[", "'['")
        values: list[nodes.Value] = []
        while self.tok.kind != "]":
            tok = self.tok
            if self.is_word("null"):
                self.error("null cannot be in a list; add 'or x is null'", ("a literal",))
            if not (
                tok.kind in ("num", "dur", "str", "-")
                or (
                    tok.kind == "ident"
                    and tok.text in ("true", "false", "date", "datetime", "decimal")
                )
            ):
                self.error(f"expected a literal or ']', found {self.found()}", ("a literal", "]"))
            values.append(self.build(tok, self.k.Value, self.literal()))
            if self.tok.kind == ",":
                self.advance()
            elif self.tok.kind != "]":
                self.error(f"expected ',' or ']', found {self.found()}", (",", "]"))
        self.advance()
        return tuple(values)

    def literal(self) -> Any:
        tok = self.advance()
        if tok.kind == "-":
            nxt = self.tok
            if nxt.kind == "num":
                self.advance()
                return (
                    int("-" + nxt.text) if isinstance(nxt.value, int) else Decimal("-" + nxt.text)
                )
            if nxt.kind == "dur":
                self.advance()
                return -nxt.value
            self.error(
                f"expected a number or a duration after '-', found {self.found()}",
                ("a number", "a duration"),
            )
        if tok.kind in ("num", "dur", "str"):
            return tok.value
        if tok.text in ("true", "false"):
            return tok.text == "true"
        fn = tok.text
        self.expect("(", "'('")
        arg = self.expect("str", "a quoted string")
        self.expect(")", "')'")
        raw: str = arg.value
        try:
            if fn == "date":
                return date.fromisoformat(raw)
            if fn == "datetime":
                value = datetime.fromisoformat(raw)
                if value.tzinfo is None or value.utcoffset() is None:
                    self.error("a datetime literal needs a UTC offset, e.g. +00:00", tok=arg)
                return value
            number = Decimal(raw)
        except (ValueError, InvalidOperation):
            self.error(f"{raw!r} is not a valid {fn}", tok=arg)
        if not number.is_finite():
            self.error("a decimal must be finite", tok=arg)
        return number


def read_text(text: Any, kit: NodeKit) -> Rule:
    """Parse the text form of a rule into nodes made by ``kit``.

    Args:
        text: The rule text.
        kit: The node classes.

    Returns:
        The rule.

    Raises:
        RuleSyntaxError: The text is not a rule (with ``line``, ``column``
            and what was ``expected``).
        ValidationError: ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise ValidationError.single("text", text, "must be a string")
    if len(text) > MAX_LENGTH:
        _raise(text, MAX_LENGTH, f"rule text is longer than {MAX_LENGTH} characters")
    return _Parser(text, _Lexer(text).tokens(), kit).parse()
