"""Compile a rule tree into a plain Python function (``docs/rules.md``: speed and safety).

No text from the rule enters the generated source: literals and paths are
bound under generated names, and attribute reads use placeholder names
swapped for the field names in the code object's ``co_names``. Each read is
specialised for dicts and objects, each comparison has fast paths for exact
types, falling back to the semantics in ``_values``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from types import CodeType
from typing import TYPE_CHECKING, Any, Final

from salescore.money import Money
from salescore.rules._kinds import (
    is_and,
    is_between,
    is_call,
    is_compare,
    is_constant,
    is_count,
    is_field,
    is_is_null,
    is_junction,
    is_match,
    is_membership,
    is_not,
    is_now,
    is_or,
    is_value,
)
from salescore.rules._truth import Truth
from salescore.rules._values import (
    MISSING,
    apply_function,
    between,
    check_at,
    compare,
    count_records,
    is_in,
    match_text,
    need_at,
    resolve,
    resolve_first,
    shift,
)

if TYPE_CHECKING:
    from salescore.rules._nodes import Compare, Match, Operand, Rule


__all__ = ["compile_rule", "generate_source"]

_SYMBOL: Final = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_PASS: Final = "pass"
_FUNCTIONS: Final = {"lower": "lower", "upper": "upper"}
_GENERAL: Final = {"compare": "_cmp", "match": "_match"}
_MATCH: Final = {
    "contains": "{pattern} in {text}",
    "starts_with": "{text}.startswith({pattern})",
    "ends_with": "{text}.endswith({pattern})",
}


def _first0(subject: Any, name: str, context: Any) -> Any:
    value = resolve_first(subject, name, context)
    return None if value is MISSING else value


def _resolve0(subject: Any, segments: tuple[str, ...], context: Any) -> Any:
    value = resolve(subject, segments, context)
    return None if value is MISSING else value


def _count(
    subject: Any, segments: tuple[str, ...], where: Any, within: Any, at: Any, context: Any
) -> int | None:
    return count_records(resolve(subject, segments, context), where, within, at, context)


_BASE_NAMESPACE: Final[dict[str, Any]] = {
    "__builtins__": {},
    "_T": Truth.TRUE,
    "_F": Truth.FALSE,
    "_U": Truth.UNKNOWN,
    "_M": MISSING,
    "_dict": dict,
    "_int": int,
    "_float": float,
    "_str": str,
    "_bool": bool,
    "_Decimal": Decimal,
    "_Money": Money,
    "_KeyError": KeyError,
    "_AttributeError": AttributeError,
    "_OverflowError": OverflowError,
    "_shift": shift,
    "_first0": _first0,
    "_res0": _resolve0,
    "_cmp": compare,
    "_isin": is_in,
    "_apply": apply_function,
    "_match": match_text,
    "_between": between,
    "_count": _count,
    "_check_at": check_at,
    "_need_at": need_at,
}


class _Generator:
    def __init__(self) -> None:
        self.ns: dict[str, Any] = dict(_BASE_NAMESPACE)
        self.blocks: list[str] = []
        self.n_const = 0
        self.n_func = 0
        self.n_var = 0
        self.consts: dict[tuple[Any, ...], str] = {}
        self.subs: dict[int, str] = {}
        self.attributes: dict[str, str] = {}

    # ----------------------------------------------------------------- names

    def const(self, value: Any, prefix: str = "_c") -> str:
        key = (prefix, type(value), repr(value))
        name = self.consts.get(key)
        if name is None:
            name = f"{prefix}{self.n_const}"
            self.n_const += 1
            self.ns[name] = value
            self.consts[key] = name
        return name

    def attribute(self, name: str) -> str:
        """Return a placeholder attribute name that stands for ``name`` in the source."""
        placeholder = self.attributes.get(name)
        if placeholder is None:
            placeholder = f"_a{len(self.attributes)}"
            self.attributes[name] = placeholder
        return placeholder

    def var(self) -> str:
        self.n_var += 1
        return f"v{self.n_var}"

    # ----------------------------------------------------------------- functions

    def function(self, rule: Rule, *, top: bool) -> str:
        if not top and id(rule) in self.subs:
            return self.subs[id(rule)]
        name = "_rule" if top else f"_f{self.n_func}"
        if not top:
            self.subs[id(rule)] = name
        self.n_func += 1
        ret = ("_T", "_F", "_U") if top else ("True", "False", "None")
        lines = [f"def {name}(subject, at=None, context=None):"]
        if top:
            lines.append("    if at is not None:")
            lines.append("        _check_at(at)")
            if rule.needs_at:
                lines.append("    else:")
                lines.append("        _need_at()")
        lines.append("    if subject.__class__ is _dict:")
        self.body(rule, lines, 2, ret, on_dict=True)
        self.body(rule, lines, 1, ret, on_dict=False)
        self.blocks.append("\n".join(lines))
        return name

    def body(
        self, rule: Rule, out: list[str], depth: int, ret: tuple[str, str, str], *, on_dict: bool
    ) -> None:
        t, f, u = ret
        pad = "    " * depth
        if is_junction(rule):
            out.append(f"{pad}u = False")
            for child in rule.rules:
                if is_and(rule):
                    actions = (_PASS, f"return {f}", "u = True")
                else:
                    actions = (f"return {t}", _PASS, "u = True")
                self.test(child, out, depth, actions, on_dict=on_dict)
            last = f if is_or(rule) else t
            out.append(f"{pad}return {u} if u else {last}")
        else:
            self.test(
                rule, out, depth, (f"return {t}", f"return {f}", f"return {u}"), on_dict=on_dict
            )
            out.append(f"{pad}return {u}")

    # ----------------------------------------------------------------- tests

    def test(
        self,
        rule: Rule,
        out: list[str],
        depth: int,
        actions: tuple[str, str, str],
        *,
        on_dict: bool,
    ) -> None:
        """Emit code that runs ``actions[0]`` if TRUE, ``[1]`` if FALSE, ``[2]`` if UNKNOWN."""
        pad = "    " * depth
        on_true, on_false, on_none = actions
        if is_not(rule):
            self.test(rule.rule, out, depth, (on_false, on_true, on_none), on_dict=on_dict)
            return
        if is_constant(rule):
            out.append(f"{pad}{on_true if rule.value else on_false}")
            return
        if is_junction(rule):
            fn = self.function(rule, top=False)
            self.settle(f"{fn}(subject, at, context)", out, depth, actions)
            return
        if is_is_null(rule):
            v = self.fetch(rule.field, out, depth, on_dict=on_dict)
            yes, no = (on_false, on_true) if rule.negated else (on_true, on_false)
            self.branch(f"{v} is None", yes, no, out, depth)
            return
        if is_compare(rule) or is_match(rule):
            self.binary(rule, out, depth, actions, on_dict=on_dict)
            return
        if is_membership(rule):
            v = self.fetch(rule.operand, out, depth, on_dict=on_dict)
            items = tuple(x.value for x in rule.values)
            if rule.negated:
                actions = (on_false, on_true, on_none)
            if items and all(type(x) is str for x in items):
                member = f"{v} in {self.const(frozenset(items), '_s')}"
                general = f"_isin({v}, {self.const(items)})"
                self.fast(v, [(f"{v}.__class__ is _str", member)], general, out, depth, actions)
            else:
                self.settle(f"_isin({v}, {self.const(items)})", out, depth, actions)
            return
        assert is_between(rule)
        v = self.fetch(rule.operand, out, depth, on_dict=on_dict)
        lo = self.fetch(rule.low, out, depth, on_dict=on_dict)
        hi = self.fetch(rule.high, out, depth, on_dict=on_dict)
        general = f"_between({v}, {lo}, {hi})"
        if (
            not is_value(rule.operand)
            and is_value(rule.low)
            and is_value(rule.high)
            and type(rule.low.value) is int
            and type(rule.high.value) is int
        ):
            within = f"{lo} <= {v} <= {hi}"
            branches = [
                (f"{v}.__class__ is _int or {v}.__class__ is _float", within),
                (f"{v}.__class__ is _Decimal and {v}.is_finite()", within),
            ]
            self.fast(v, branches, general, out, depth, actions)
        else:
            self.settle(general, out, depth, actions)

    def binary(
        self,
        rule: Compare | Match,
        out: list[str],
        depth: int,
        actions: tuple[str, str, str],
        *,
        on_dict: bool,
    ) -> None:
        """Emit a test of two operands: fast paths when a literal allows them, else the call."""
        first, second = rule._operands()
        left = self.fetch(first, out, depth, on_dict=on_dict)
        right = self.fetch(second, out, depth, on_dict=on_dict)
        op = rule.op.value
        general = f"{_GENERAL[rule.tag]}({self.const(op, '_o')}, {left}, {right})"
        v, branches = self.fast_branches(rule, left, right)
        if not branches:
            self.settle(general, out, depth, actions)
            return
        self.fast(v, branches, general, out, depth, actions)

    @staticmethod
    def fast_branches(
        rule: Compare | Match, left: str, right: str
    ) -> tuple[str, list[tuple[str, str]]]:
        """The tested variable and the exact-type tests under which Python's own test is right.

        A text test needs a text pattern and a text operand. A comparison with
        a literal on one side: a Decimal is compared natively only when finite
        (NaN refuses to be ordered), and Money against a number by its amount.
        """
        first, second = rule._operands()
        op = rule.op.value
        if is_match(rule):
            if is_value(second) and type(second.value) is str and not is_value(first):
                expr = _MATCH[op].format(text=left, pattern=right)
                return left, [(f"{left}.__class__ is _str", expr)]
            return "", []
        if is_value(second) and not is_value(first):
            literal, v = second, left
        elif is_value(first) and not is_value(second):
            literal, v = first, right
        else:
            return "", []
        kind = type(literal.value)
        symbol = _SYMBOL[op]

        def on(value: str) -> str:
            return f"{value} {symbol} {right}" if v == left else f"{left} {symbol} {value}"

        if kind is int or kind is Decimal:
            exact = f"{v}.__class__ is _int"
            if kind is int:
                exact += f" or {v}.__class__ is _float"
            return v, [
                (exact, on(v)),
                (f"{v}.__class__ is _Decimal and {v}.is_finite()", on(v)),
                (f"{v}.__class__ is _Money", on(f"{v}.amount")),
            ]
        if kind is str:
            return v, [(f"{v}.__class__ is _str", on(v))]
        if kind is bool and op in ("==", "!="):
            return v, [(f"{v}.__class__ is _bool", on(v))]
        return v, []

    # ----------------------------------------------------------------- emitters

    def fast(
        self,
        v: str,
        branches: list[tuple[str, str]],
        general: str,
        out: list[str],
        depth: int,
        actions: tuple[str, str, str],
    ) -> None:
        """Emit each ``(type test, expression)`` branch, then null, then the general path."""
        pad = "    " * depth
        on_true, on_false, on_none = actions
        word = "if"
        for cond, test in branches:
            out.append(f"{pad}{word} {cond}:")
            if (on_true, on_false) == (_PASS, _PASS):
                out.append(f"{pad}    pass")
            self.branch(test, on_true, on_false, out, depth + 1)
            word = "elif"
        out.append(f"{pad}elif {v} is None:")
        out.append(f"{pad}    {on_none}")
        out.append(f"{pad}else:")
        self.settle(general, out, depth + 1, actions)

    @staticmethod
    def branch(cond: str, yes: str, no: str, out: list[str], depth: int) -> None:
        pad = "    " * depth
        if yes == _PASS and no == _PASS:
            return
        if no == _PASS:
            out.append(f"{pad}if {cond}:")
            out.append(f"{pad}    {yes}")
        elif yes == _PASS:
            out.append(f"{pad}if not ({cond}):")
            out.append(f"{pad}    {no}")
        else:
            out.append(f"{pad}if {cond}:")
            out.append(f"{pad}    {yes}")
            out.append(f"{pad}else:")
            out.append(f"{pad}    {no}")

    def settle(self, expr: str, out: list[str], depth: int, actions: tuple[str, str, str]) -> None:
        """Emit ``c = expr``, then the action for each of the values ``c`` can take."""
        c = self.var()
        out.append(f"{'    ' * depth}{c} = {expr}")
        self.tri(c, out, depth, actions)

    @staticmethod
    def tri(c: str, out: list[str], depth: int, actions: tuple[str, str, str]) -> None:
        pad = "    " * depth
        cases = [
            (f"{c} is True", actions[0]),
            (f"{c} is False", actions[1]),
            (f"{c} is None", actions[2]),
        ]
        word = "if"
        for cond, action in cases:
            if action == _PASS:
                continue
            out.append(f"{pad}{word} {cond}:")
            out.append(f"{pad}    {action}")
            word = "elif"

    @staticmethod
    def guarded(out: list[str], pad: str, v: str, expr: str, error: str, fallback: str) -> None:
        """Emit ``v = expr``, or ``v = fallback`` when it raises ``error``."""
        out.append(f"{pad}try:")
        out.append(f"{pad}    {v} = {expr}")
        out.append(f"{pad}except {error}:")
        out.append(f"{pad}    {v} = {fallback}")

    def fetch(self, operand: Operand, out: list[str], depth: int, *, on_dict: bool) -> str:
        """Emit code putting the operand's value (``None`` when missing) in a variable."""
        pad = "    " * depth
        if is_value(operand):
            return self.const(operand.value)
        v = self.var()
        if is_field(operand):
            segments = operand.segments
            if len(segments) > 1:
                out.append(f"{pad}{v} = _res0(subject, {self.const(segments, '_p')}, context)")
            else:
                p = self.const(segments[0], "_p")
                read = f"subject[{p}]" if on_dict else f"subject.{self.attribute(segments[0])}"
                error = "_KeyError" if on_dict else "_AttributeError"
                self.guarded(out, pad, v, read, error, f"_first0(subject, {p}, context)")
            return v
        if is_now(operand):
            offset = self.const(operand.offset)
            self.guarded(out, pad, v, f"at + {offset}", "_OverflowError", f"_shift(at, {offset})")
            return v
        if is_call(operand):
            inner = self.fetch(operand.operand, out, depth, on_dict=on_dict)
            method = _FUNCTIONS[operand.function]
            name = self.const(operand.function, "_o")
            out.append(
                f"{pad}{v} = {inner}.{method}() if {inner}.__class__ is _str "
                f"else _apply({name}, {inner})"
            )
            return v
        assert is_count(operand)
        where = "None" if operand.where is None else self.function(operand.where, top=False)
        segs = self.const(tuple(operand.relation.split(".")), "_p")
        within = self.const(operand.within)
        out.append(f"{pad}{v} = _count(subject, {segs}, {where}, {within}, at, context)")
        return v


def generate_source(rule: Rule) -> tuple[str, dict[str, Any], dict[str, str]]:
    """Return the generated source for ``rule``, its namespace and its attribute names.

    Args:
        rule: The rule.

    Returns:
        ``(source, namespace, names)``: the entry point is ``_rule``, and
        ``names`` maps each placeholder attribute name in the source to the
        field name it stands for.
    """
    gen = _Generator()
    gen.function(rule, top=True)
    names = {placeholder: name for name, placeholder in gen.attributes.items()}
    return "\n\n".join(gen.blocks) + "\n", gen.ns, names


def _rename(code: CodeType, names: dict[str, str]) -> CodeType:
    consts = tuple(_rename(c, names) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_consts=consts, co_names=tuple(names.get(n, n) for n in code.co_names))


def compile_rule(rule: Rule) -> Callable[..., Truth]:
    """Compile ``rule`` into a function ``(subject, at=None, context=None) -> Truth``.

    Args:
        rule: The rule.

    Returns:
        The compiled function.
    """
    source, ns, names = generate_source(rule)
    code = _rename(compile(source, "<salescore rule>", "exec"), names)
    exec(code, ns)  # the source holds no rule text: see the module docstring
    fn: Callable[..., Truth] = ns["_rule"]
    return fn
