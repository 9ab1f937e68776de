"""Money: an exact :class:`~decimal.Decimal` amount with an ISO 4217 currency.

A :class:`Money` never holds a float. Arithmetic keeps full precision (within a
private 50-digit decimal context, never the global one); rounding to the
currency's minor unit happens only when asked for, with :meth:`Money.round` or
:meth:`Money.allocate`. Amounts of different currencies never mix silently:
``==`` between them is ``False``, and adding, subtracting or ordering them
raises a :class:`~salescore.errors.ValidationError` that names ``currency``.
"""

from __future__ import annotations

import decimal
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Final, NoReturn, cast, final, overload

import attrs

from salescore._iso4217 import MINOR_UNITS
from salescore._validation import Checker, fail
from salescore.errors import ValidationError

__all__ = ["KNOWN_CURRENCIES", "ROUNDING_MODES", "Money", "currency_minor_unit"]

#: Every active ISO 4217 code that :class:`Money` accepts.
KNOWN_CURRENCIES: Final[frozenset[str]] = frozenset(MINOR_UNITS)

#: The rounding modes :meth:`Money.round` accepts (the :mod:`decimal` constants).
ROUNDING_MODES: Final[frozenset[str]] = frozenset(
    {
        decimal.ROUND_HALF_EVEN,
        decimal.ROUND_HALF_UP,
        decimal.ROUND_HALF_DOWN,
        decimal.ROUND_UP,
        decimal.ROUND_DOWN,
        decimal.ROUND_CEILING,
        decimal.ROUND_FLOOR,
        decimal.ROUND_05UP,
    }
)

_PRECISION: Final = 50
# The bounds of every amount: magnitude below 10**30 (a million times the
# world's yearly output in any currency) and at most 50 decimal places.
# Inputs outside them are refused; arithmetic results beyond the magnitude
# are refused, and results finer than 50 places are rounded (half-even).
_MAX_DIGITS: Final = 30
_MAX_PLACES: Final = 50
# The one context all arithmetic runs in: high precision, no silent NaN or
# infinity, and independent of whatever the caller did to the global context.
_CTX: Final = decimal.Context(
    prec=_PRECISION,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
# Parsing reports a malformed string as NaN instead of raising.
_PARSE: Final = decimal.Context(traps=[])
_ZERO: Final = Decimal(0)
_NAN: Final = Decimal("NaN")
_ONE: Final = Decimal(1)
_QUANTA: Final[dict[int, Decimal]] = {d: Decimal(1).scaleb(-d) for d in range(5)}
_FINEST: Final = Decimal(1).scaleb(-_MAX_PLACES)
# Wide enough for any in-bounds amount at the finest quantum.
_BOUNDS_CTX: Final = _CTX.copy()
_BOUNDS_CTX.prec = _MAX_DIGITS + _MAX_PLACES + 2
_CODE_SHAPE: Final = re.compile(r"[A-Z]{3}")
_GROUPED: Final = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
# ASCII digits only: no other scripts' digits, no full-width digits, no "_".
_NUMBER: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_TOO_BIG: Final = "must be less than 10**30 in magnitude"
_TOO_FINE: Final = "must have at most 50 decimal places"

_new = object.__new__
_add = _CTX.add
_subtract = _CTX.subtract


def currency_minor_unit(code: str) -> int:
    """Return the number of decimal places of a currency's minor unit.

    Args:
        code: An ISO 4217 code such as ``"EUR"``.

    Returns:
        The digits after the decimal point: 2 for ``EUR``, 0 for ``JPY``, 3 for
        ``KWD``, 4 for ``CLF``; 0 for codes whose minor unit ISO 4217 gives
        as "N.A." (``XAU``, ``XDR`` …).

    Raises:
        ValidationError: ``code`` is not a known active ISO 4217 code
            (the error names ``currency``).
    """
    try:
        return MINOR_UNITS[code]
    except (KeyError, TypeError):
        fail("currency", code, _currency_problem(code))


def _currency_problem(code: object) -> str:
    if not isinstance(code, str):
        return "must be an ISO 4217 currency code (a string such as 'EUR')"
    if not _CODE_SHAPE.fullmatch(code):
        guess = code.strip().upper()
        hint = f"; did you mean {guess!r}?" if guess in MINOR_UNITS else ""
        return f"must be three upper-case letters (an ISO 4217 code){hint}"
    return "is not an active ISO 4217 currency code"


def _fast_amount(value: object) -> Decimal | None:
    """Convert the common, valid amounts quickly; ``None`` means "check fully"."""
    if type(value) is str:
        if (
            len(value) > _MAX_PLACES  # may have too many places: check fully
            or "," in value
            or "_" in value
            or "e" in value
            or "E" in value
            or not value.isascii()
        ):
            return None
        parsed = Decimal(value, _PARSE)
        if not parsed.is_finite() or (parsed and parsed.adjusted() >= _MAX_DIGITS):
            return None
        return parsed if parsed else _tidy(parsed)
    if type(value) is Decimal:
        if not value.is_finite():
            return None
        exponent = _exponent(value)
        if exponent < -_MAX_PLACES or (value and value.adjusted() >= _MAX_DIGITS):
            return None
        return value if exponent <= 0 and value else _tidy(value)
    if type(value) is int:
        return Decimal(value)
    return None


def _out_of_bounds(value: Decimal) -> str | None:
    """Why a finite amount is outside the bounds (``None`` when inside).

    Judged from the exponent alone, before the number is ever expanded.
    """
    if _exponent(value) < -_MAX_PLACES:
        return _TOO_FINE
    if value and value.adjusted() >= _MAX_DIGITS:
        return _TOO_BIG
    return None


def _bounded(value: Decimal, path: str, checker: Checker, given: object = None) -> Decimal | None:
    problem = _out_of_bounds(value)
    if problem:
        checker.add(path, value if given is None else given, problem)
        return None
    return value


def _too_large(value: Decimal) -> None:
    if value and value.adjusted() >= _MAX_DIGITS:
        fail("amount", value, "the result is 10**30 or more in magnitude (the limit of amounts)")


def _result(value: Decimal, *, plain: bool = False) -> Decimal:
    """An arithmetic result within the bounds: refused if too large, rounded if too fine.

    ``plain`` says the exponent cannot be positive (the operands' were not),
    which spares a look at it: a result of at most 50 digits from 0.1 up has
    at most 50 places, so only smaller ones are examined.
    """
    if value:
        _too_large(value)
        if value.adjusted() >= _PRECISION - _MAX_PLACES - 1:
            return value if plain else _tidy(value)
    if _exponent(value) < -_MAX_PLACES:
        value = value.quantize(_FINEST, context=_BOUNDS_CTX)
    return _tidy(value)


def _to_decimal(value: object, path: str, checker: Checker) -> Decimal | None:
    """Convert an amount-like value, recording a problem instead of raising."""
    if isinstance(value, Decimal):
        if value.is_finite():
            return _bounded(value, path, checker)
        checker.add(path, value, "must be finite (NaN and infinity are not amounts)")
        return None
    if isinstance(value, bool):
        checker.add(path, value, "must be a Decimal, an int or a numeric string, not a bool")
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        checker.add(
            path,
            value,
            "must be a Decimal, an int or a numeric string, not a float "
            "(binary fractions are not money; pass Decimal(str(x)) or a string)",
        )
        return None
    if isinstance(value, str):
        text = value.strip()
        if _GROUPED.fullmatch(text):
            text = text.replace(",", "")
        if not _NUMBER.fullmatch(text):
            if text.lower().lstrip("+-") in ("nan", "snan", "inf", "infinity"):
                checker.add(path, value, "must be finite (NaN and infinity are not amounts)")
            else:
                checker.add(
                    path,
                    value,
                    "must be a numeric string of ASCII digits such as '12.50' or '12,000.50'",
                )
            return None
        parsed = Decimal(text, _PARSE)
        if not parsed.is_finite():  # an exponent beyond what Decimal holds
            tiny = "-" in text.lower().partition("e")[2]
            checker.add(path, value, _TOO_FINE if tiny else _TOO_BIG)
            return None
        return _bounded(parsed, path, checker, value)
    checker.add(path, value, "must be a Decimal, an int or a numeric string")
    return None


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite values only
    return exponent


def _tidy(value: Decimal) -> Decimal:
    """Drop a positive exponent (``1E+3`` → ``1000``) and a negative zero's sign.

    Every Money amount keeps this invariant (exponent <= 0, zero unsigned), so
    sums and differences of amounts need no tidying.
    """
    if not value:
        return value.copy_abs() if _exponent(value) <= 0 else _ZERO
    if _exponent(value) > 0:
        return value.quantize(_ONE, context=_context_for(value))
    return value


def _context_for(value: Decimal, places: int = 0) -> decimal.Context:
    """The arithmetic context, widened if ``value`` needs more digits at ``places``."""
    needed = value.adjusted() + places + 2
    return _CTX if needed <= _PRECISION else _wide(needed)


def _wide(prec: int) -> decimal.Context:
    ctx = _CTX.copy()
    ctx.prec = max(prec, _PRECISION)
    return ctx


def _factor(value: object) -> Decimal | None:
    """Convert a multiplier or divisor; ``None`` means "not a number we take"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        return Decimal(value)
    elif isinstance(value, float):
        result = Decimal(str(value))
    else:
        return None
    if not result.is_finite():
        fail("factor", value, "must be finite")
    return result


def _product(amount: Decimal, factor: Decimal, *, plain: bool = False) -> Decimal:
    """``amount * factor`` within the bounds; an oversized one is refused before computing it."""
    if amount and factor and amount.adjusted() + factor.adjusted() >= _MAX_DIGITS:
        fail("factor", factor, f"makes {amount} 10**30 or more (the limit of amounts)")
    return _result(_CTX.multiply(amount, factor), plain=plain)


def _quotient(amount: Decimal, divisor: Decimal, *, plain: bool = False) -> Decimal:
    """``amount / divisor`` (not zero) within the bounds, refused before computing it."""
    if amount and amount.adjusted() - divisor.adjusted() - 1 >= _MAX_DIGITS:
        fail("divisor", divisor, f"makes {amount} 10**30 or more (the limit of amounts)")
    return _result(_CTX.divide(amount, divisor), plain=plain)


def _bad_rounding(rounding: object) -> NoReturn:
    fail("rounding", rounding, f"must be one of {', '.join(sorted(ROUNDING_MODES))}")


def _integer_weights(ratios: Sequence[object]) -> list[int]:
    """Check allocation ratios and scale them to integers by one power of ten."""
    checker = Checker("allocation")
    weights: list[Decimal] = []
    for i, ratio in enumerate(ratios):
        path = f"ratios[{i}]"
        weight: Decimal | None
        if isinstance(ratio, float):
            if not math.isfinite(ratio):
                checker.add(path, ratio, "must be finite")
                continue
            weight = _bounded(Decimal(repr(ratio)), path, checker)
        else:
            weight = _to_decimal(ratio, path, checker)
        if weight is None:
            continue
        if weight < 0:
            checker.add(path, ratio, "must not be negative")
            continue
        weights.append(weight)
    checker.raise_if_any()
    tuples = [w.as_tuple() for w in weights]
    scale = max(0, *(-int(t.exponent) for t in tuples))
    return [int("".join(map(str, t.digits))) * 10 ** (int(t.exponent) + scale) for t in tuples]


def _mismatch(op: str, a: Money, b: Money) -> ValidationError:
    return ValidationError.single(
        "currency",
        (a.currency, b.currency),
        f"cannot {op} {a.currency} and {b.currency} amounts (currencies differ; convert first)",
    )


def _make(amount: Decimal, currency: str) -> Money:
    """Build a Money from already-valid parts, skipping validation."""
    obj: Money = _new(Money)
    _set_amount(obj, amount)
    _set_currency(obj, currency)
    return obj


@final
@attrs.frozen(init=False, repr=False, eq=False, order=False)
class Money:
    """An amount of money in one currency.

    ``Money("12.50", "EUR")`` keeps the amount exactly as given, as a
    :class:`~decimal.Decimal`. Arithmetic keeps full precision;
    ``Money("12000.00", "EUR") * 0.5`` is ``Money('6000.000', 'EUR')``. Call
    :meth:`round` to get an amount in whole minor units (cents).

    Supported operations: ``+`` and ``-`` between amounts of the same currency
    (and ``0 + money``, ``money + 0``, ``money - 0`` and ``0 - money``, which
    is ``-money``, so that :func:`sum` works), ``*`` by an
    ``int``, a ``Decimal`` or a ``float`` (taken through ``Decimal(str(x))``),
    ``/`` by such a number (or by Money of the same currency, giving a
    ``Decimal`` ratio), unary ``-``, ``+`` and :func:`abs`, the comparisons
    ``== != < <= > >=``, :func:`hash` and :func:`round`. As for every
    number, zero is false: ``bool(Money("0.00", "EUR"))`` is ``False``.

    Amounts are bounded: their magnitude is below ``10**30`` and they have at
    most 50 decimal places. An input outside is refused (judged from its
    exponent, before the number is ever expanded), so is a sum, product or
    quotient of magnitude ``10**30`` or more; a result with more than 50
    decimal places is rounded to 50 (half-even).

    ``str(money)`` is for people: the full amount with thousands separators and
    the code, ``"12,000.00 EUR"``. ``repr(money)`` is exact:
    ``Money('12000.00', 'EUR')``.

    Args:
        amount: A :class:`~decimal.Decimal`, an ``int`` or a numeric string
            of ASCII digits (surrounding whitespace is ignored; ``"1e3"`` and
            ``"12,000.50"`` are accepted; other scripts' digits such as
            ``"١٢"``, full-width digits ``"１２"`` and underscores ``"1_000"``
            are refused). Floats, NaN and infinities are refused.
        currency: An active ISO 4217 code in upper case, such as ``"EUR"``.

    Attributes:
        amount: The exact amount.
        currency: The ISO 4217 code.

    Raises:
        ValidationError: The amount or the currency is refused; both are
            checked and reported together (paths ``amount`` and ``currency``).
    """

    amount: Decimal
    currency: str

    def __init__(self, amount: Decimal | int | str, currency: str) -> None:
        value = _fast_amount(amount)
        if value is None or type(currency) is not str or currency not in MINOR_UNITS:
            checker = Checker("Money")
            value = _to_decimal(amount, "amount", checker)
            if not isinstance(currency, str) or currency not in MINOR_UNITS:
                checker.add("currency", currency, _currency_problem(currency))
            checker.raise_if_any()
            assert value is not None
            value = _tidy(value)
        _set_amount(self, value)
        _set_currency(self, currency)

    # -- constructors -----------------------------------------------------

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Return zero in ``currency``, written with the minor unit's places.

        Args:
            currency: An ISO 4217 code.

        Returns:
            For example ``Money('0.00', 'EUR')`` or ``Money('0', 'JPY')``.

        Raises:
            ValidationError: ``currency`` is not a known code.
        """
        return _make(_ZERO.scaleb(-currency_minor_unit(currency)), currency)

    @classmethod
    def parse(cls, text: str) -> Money:
        """Read money written as ``"<amount> <CODE>"``, the form ``str()`` gives.

        Thousands separators (commas) in the amount are allowed:
        ``Money.parse("12,000.00 EUR") == Money("12000.00", "EUR")``.

        Args:
            text: The text, for example ``"12.50 EUR"``.

        Returns:
            The money.

        Raises:
            ValidationError: The text is not of that form, or its amount or
                code is refused.
        """
        if not isinstance(text, str):
            fail("text", text, "must be a string such as '12.50 EUR'")
        parts = text.split()
        if len(parts) != 2:
            fail("text", text, "must be an amount and a currency code, such as '12.50 EUR'")
        return cls(parts[0], parts[1])

    # -- properties -------------------------------------------------------

    @property
    def minor_unit(self) -> int:
        """The number of decimal places of the currency's minor unit (2 for EUR)."""
        return MINOR_UNITS[self.currency]

    @property
    def is_zero(self) -> bool:
        """Whether the amount is zero (of any precision: ``0``, ``0.00`` …)."""
        return not self.amount

    # -- rounding ---------------------------------------------------------

    def round(self, rounding: str = decimal.ROUND_HALF_EVEN) -> Money:
        """Round to the currency's minor unit.

        Args:
            rounding: A :mod:`decimal` rounding mode; banker's rounding
                (``ROUND_HALF_EVEN``) by default. ``ROUND_HALF_UP`` is the
                "commercial" rounding taught at school.

        Returns:
            Money whose amount has exactly :attr:`minor_unit` decimal places:
            ``Money("2.345", "EUR").round()`` is ``Money('2.34', 'EUR')``.

        Raises:
            ValidationError: ``rounding`` is not a :mod:`decimal` rounding mode.
        """
        if rounding not in ROUNDING_MODES:
            _bad_rounding(rounding)
        places = MINOR_UNITS[self.currency]
        amount = self.amount
        ctx = _CTX if amount.adjusted() + places + 2 <= _PRECISION else _context_for(amount, places)
        value = amount.quantize(_QUANTA[places], rounding, ctx)
        _too_large(value)
        return _make(value if value else _tidy(value), self.currency)

    def __round__(self, ndigits: int | None = None) -> Money:
        """Support :func:`round`: ``round(m)`` rounds to the minor unit.

        Args:
            ndigits: Decimal places to keep; ``None`` means the currency's
                minor unit. Banker's rounding is used.

        Returns:
            The rounded money (never an ``int``).

        Raises:
            TypeError: ``ndigits`` is not an int.
            ValidationError: ``ndigits`` is outside -30 … 50, or rounding up
                reaches ``10**30``.
        """
        if ndigits is None:
            return self._quantize(self.minor_unit, decimal.ROUND_HALF_EVEN)
        if isinstance(ndigits, bool) or not isinstance(ndigits, int):
            raise TypeError(f"ndigits must be an int or None, got {ndigits!r}")
        if not -_MAX_DIGITS <= ndigits <= _MAX_PLACES:
            fail("ndigits", ndigits, f"must be between {-_MAX_DIGITS} and {_MAX_PLACES}")
        return self._quantize(ndigits, decimal.ROUND_HALF_EVEN)

    def _quantize(self, places: int, rounding: str) -> Money:
        if rounding not in ROUNDING_MODES:
            _bad_rounding(rounding)
        quantum = _QUANTA.get(places) or _ONE.scaleb(-places)
        ctx = _context_for(self.amount, places)
        value = self.amount.quantize(quantum, rounding=rounding, context=ctx)
        _too_large(value)
        return _make(_tidy(value) if places < 0 or not value else value, self.currency)

    def allocate(
        self,
        ratios: Sequence[Decimal | int | str | float],
        *,
        rounding: str = decimal.ROUND_HALF_EVEN,
    ) -> tuple[Money, ...]:
        """Split into parts in proportion to ``ratios`` without losing a cent.

        The amount is first rounded to the minor unit (with ``rounding``); the
        parts are whole minor units and add up to that rounded amount exactly.
        Each part gets the floor of its exact share; the cents left over go one
        each to the parts with the largest remainders, earlier parts first on
        a tie (the largest-remainder method). A negative amount is split like
        its absolute value, with every part negated.

        Args:
            ratios: One non-negative weight per part (ints, Decimals, numeric
                strings, or floats taken through ``Decimal(str(x))``); not all
                zero. A zero weight gets a zero part.
            rounding: How the amount is rounded before splitting.

        Returns:
            One Money per ratio, in order, each with exactly
            :attr:`minor_unit` decimal places:
            ``Money("100.00", "EUR").allocate([1, 1, 1])`` gives 33.34, 33.33
            and 33.33 EUR.

        Raises:
            ValidationError: ``ratios`` is empty, a ratio is negative or not a
                number, or all are zero (every bad ratio is listed, with paths
                like ``ratios[1]``).
        """
        if isinstance(ratios, str) or not isinstance(ratios, Sequence):
            fail("ratios", ratios, "must be a sequence of numbers")
        if not ratios:
            fail("ratios", ratios, "must not be empty")
        if all(type(r) is int and r >= 0 for r in ratios):
            nums = cast("list[int]", list(ratios))
        else:
            nums = _integer_weights(ratios)
        denominator = sum(nums)
        if not denominator:
            fail("ratios", tuple(ratios), "must not all be zero")

        places = MINOR_UNITS[self.currency]
        total = self._quantize(places, rounding).amount
        sign, digits, _ = total.as_tuple()
        units = int("".join(map(str, digits)))
        shares = [divmod(units * n, denominator) for n in nums]
        parts = [q for q, _ in shares]
        leftover = units - sum(parts)
        if leftover:
            by_remainder = sorted(range(len(shares)), key=lambda i: (-shares[i][1], i))
            for i in by_remainder[:leftover]:
                parts[i] += 1
        minus = "-" if sign else ""
        currency = self.currency
        return tuple(_make(Decimal(f"{minus if p else ''}{p}E-{places}"), currency) for p in parts)

    # -- arithmetic -------------------------------------------------------

    def __add__(self, other: Money | int) -> Money:
        if type(other) is Money:
            if other.currency != self.currency:
                raise _mismatch("add", self, other)
            amount = _add(self.amount, other.amount)
            if amount.adjusted() >= _MAX_DIGITS:  # (a zero's is not positive)
                fail("amount", amount, "the sum is 10**30 or more (the limit of amounts)")
            result = _new(Money)  # inlined _make: this is the hottest path
            _set_amount(result, amount)
            _set_currency(result, self.currency)
            return result
        if type(other) is int and other == 0:
            return self
        return NotImplemented

    def __radd__(self, other: int) -> Money:
        if type(other) is int and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money | int) -> Money:
        if type(other) is Money:
            if other.currency != self.currency:
                raise _mismatch("subtract", self, other)
            amount = _subtract(self.amount, other.amount)
            if amount.adjusted() >= _MAX_DIGITS:  # (a zero's is not positive)
                fail("amount", amount, "the difference is 10**30 or more (the limit of amounts)")
            result = _new(Money)
            _set_amount(result, amount)
            _set_currency(result, self.currency)
            return result
        if type(other) is int and other == 0:
            return self
        return NotImplemented

    def __rsub__(self, other: int) -> Money:
        """``0 - money`` is ``-money`` (the counterpart of ``0 + money``)."""
        if type(other) is int and other == 0:
            return -self
        return NotImplemented

    def __mul__(self, other: Decimal | int | float) -> Money:
        if type(other) is float:
            text = repr(other)
            factor = Decimal(text)
            if not factor.is_finite():
                fail("factor", other, "must be finite")
            return _make(_product(self.amount, factor, plain="e+" not in text), self.currency)
        if type(other) is int:
            return _make(_product(self.amount, Decimal(other), plain=True), self.currency)
        factor_ = _factor(other)
        if factor_ is None:
            return NotImplemented
        return _make(_product(self.amount, factor_), self.currency)

    __rmul__ = __mul__

    @overload
    def __truediv__(self, other: Money) -> Decimal: ...
    @overload
    def __truediv__(self, other: Decimal | int | float) -> Money: ...

    def __truediv__(self, other: object) -> Money | Decimal:
        if type(other) is Money:
            if other.currency != self.currency:
                raise _mismatch("divide", self, other)
            if not other.amount:
                raise ZeroDivisionError("cannot divide money by a zero amount")
            return _tidy(_CTX.divide(self.amount, other.amount))
        divisor = _factor(other)
        if divisor is None:
            return NotImplemented
        if not divisor:
            raise ZeroDivisionError("cannot divide money by zero")
        plain = type(other) is int
        return _make(_quotient(self.amount, divisor, plain=plain), self.currency)

    def __bool__(self) -> bool:
        """Zero is false, as for every number: ``if deal.amount:`` skips a zero deal."""
        return bool(self.amount)

    def __neg__(self) -> Money:
        if not self.amount:
            return self
        return _make(self.amount.copy_negate(), self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return _make(self.amount.copy_abs(), self.currency)

    # -- comparison -------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if type(other) is not Money:
            return NotImplemented
        return self.currency == other.currency and self.amount == other.amount

    def __ne__(self, other: object) -> bool:
        if type(other) is not Money:
            return NotImplemented
        return self.currency != other.currency or self.amount != other.amount

    def __hash__(self) -> int:
        return hash((self.amount, self.currency))

    def _check_same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise _mismatch("compare", self, other)

    def __lt__(self, other: Money) -> bool:
        if type(other) is not Money:
            return NotImplemented
        self._check_same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        if type(other) is not Money:
            return NotImplemented
        self._check_same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        if type(other) is not Money:
            return NotImplemented
        self._check_same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        if type(other) is not Money:
            return NotImplemented
        self._check_same(other)
        return self.amount >= other.amount

    # -- text -------------------------------------------------------------

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency}')"

    def __str__(self) -> str:
        return f"{self.amount:,f} {self.currency}"

    def __format__(self, spec: str) -> str:
        """Format the amount with ``spec`` (a :class:`~decimal.Decimal` format) and add the code.

        ``f"{Money('1234.5', 'EUR'):,.2f}"`` is ``"1,234.50 EUR"``; an empty
        spec gives :func:`str`.
        """
        if not spec:
            return str(self)
        return f"{format(self.amount, spec)} {self.currency}"


_set_amount = Money.__dict__["amount"].__set__
_set_currency = Money.__dict__["currency"].__set__
