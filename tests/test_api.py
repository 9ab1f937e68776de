"""The public API policy (docs/api.md) holds.

Every name in an ``__all__`` resolves; each class and function has one
canonical path (its defining public module) that lists it and is documented;
the façades' type-checking imports match their ``__all__``; every name that
was importable before the move to ``salescore.decisions`` still is; a failed
lookup by key raises ``NotFound``.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import warnings
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

import salescore
from salescore.errors import NotFound, ValidationError

ROOT = Path(__file__).resolve().parent.parent
SRC = Path(salescore.__file__).resolve().parent
FACADES = (
    "salescore",
    "salescore.domain",
    "salescore.domain.service",
    "salescore.rules",
    "salescore.decisions",
    "salescore.analytics",
    "salescore.outreach",
)
SUBPACKAGES = (
    "salescore.domain",
    "salescore.domain.service",
    "salescore.decisions",
    "salescore.analytics",
    "salescore.outreach",
)
MOVED_MODULES = {
    f"salescore.rules.{m}": f"salescore.decisions.{m}"
    for m in ("qualification", "routing", "scoring", "win_model")
} | {"salescore.domain.sla": "salescore.domain.service"}
BEFORE = [
    tuple(line.split())
    for line in (ROOT / "tests" / "data" / "public_names_before_0_1.txt").read_text().splitlines()
    if line and not line.startswith("#")
]


def _public_modules() -> list[str]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        parts = ["salescore", *path.relative_to(SRC).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        if any(p.startswith("_") for p in parts) or name in MOVED_MODULES:
            continue
        out.append(name)
    return out


PUBLIC_MODULES = _public_modules()


def _get(module: str, name: str) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        return getattr(importlib.import_module(module), name)


def canonical(obj: object, name: str) -> str:
    """The canonical module of a class or function.

    Its defining module when that is public; for a private one (``_name.py``),
    the public sibling module that lists the name in ``__all__``, else the
    package.
    """
    module = getattr(obj, "__module__", "")
    parts = module.split(".")
    if not parts[-1].startswith("_"):
        return module
    package = ".".join(parts[:-1])
    siblings = [
        m
        for m in PUBLIC_MODULES
        if m.rpartition(".")[0] == package
        and name in getattr(importlib.import_module(m), "__all__", ())
    ]
    return siblings[0] if len(siblings) == 1 else package


def test_before_list_is_loaded() -> None:
    assert len(BEFORE) > 500
    assert ("salescore.rules", "ScoreModel") in BEFORE
    assert ("salescore", "normalize_email") in BEFORE


@pytest.mark.parametrize(
    "module", [m for m in PUBLIC_MODULES if hasattr(importlib.import_module(m), "__all__")]
)
def test_every_all_name_resolves_without_warning(module: str) -> None:
    names = importlib.import_module(module).__all__
    assert len(set(names)) == len(names)
    for name in names:
        assert _get(module, name) is not None or name == "__version__"


def test_every_name_importable_before_still_is() -> None:
    moved = importlib.import_module("salescore.rules")._MOVED
    for module, name in BEFORE:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = getattr(importlib.import_module(module), name)
        warned = [w for w in caught if issubclass(w.category, DeprecationWarning)]
        new_home = MOVED_MODULES.get(module) or (
            moved.get(name) if module == "salescore.rules" else None
        )
        if new_home is not None:
            assert value is getattr(importlib.import_module(new_home), name) or name == new_home
        if module == "salescore.rules" and name in moved:
            assert warned, name
            assert str(warned[0].message).startswith(f"salescore.rules.{name} has moved")
        elif module not in MOVED_MODULES:
            assert not warned, (module, name, [str(w.message) for w in warned])


def test_moved_decision_names_are_the_same_objects() -> None:
    from salescore.decisions import ScoreModel, assess

    with pytest.warns(DeprecationWarning, match=r"salescore\.rules\.ScoreModel has moved"):
        from salescore.rules import ScoreModel as OldScoreModel
    with pytest.warns(DeprecationWarning, match="import it from salescore.decisions.qualification"):
        from salescore.rules import assess as old_assess
    assert OldScoreModel is ScoreModel
    assert old_assess is assess


@pytest.mark.parametrize("facade", FACADES)
def test_facade_type_checking_imports_match_all(facade: str) -> None:
    mod = importlib.import_module(facade)
    tree = ast.parse(inspect.getsource(mod))
    typed: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom)
                assert stmt.module is not None
                for alias in stmt.names:
                    if alias.name == "*":
                        typed |= set(importlib.import_module(stmt.module).__all__)
                    else:
                        typed.add(alias.asname or alias.name)
    assert typed == set(mod.__all__) - {"__version__"}
    assert set(mod.__all__) - {"__version__"} <= set(mod._EXPORTS)
    assert set(mod.__all__) <= set(dir(mod))


@pytest.mark.parametrize("package", SUBPACKAGES)
def test_subpackage_all_is_complete(package: str) -> None:
    # every public name of its public modules, and the names it offers from
    # its private ones (``salescore.domain.rule_schema`` …)
    pkg = importlib.import_module(package)
    union = {name for name, module in pkg._EXPORTS.items() if module.rpartition(".")[2][0] == "_"}
    for module in PUBLIC_MODULES:
        if module.startswith(package + "."):
            union |= set(importlib.import_module(module).__all__)
    assert set(pkg.__all__) == union


def test_storage_all_is_complete_but_for_the_adapters_migrations() -> None:
    from salescore import storage

    union: set[str] = set()
    for module in PUBLIC_MODULES:
        if module.startswith("salescore.storage."):
            union |= set(importlib.import_module(module).__all__)
    # each SQL adapter has its own MIGRATIONS, documented at its module
    assert union - set(storage.__all__) == {"MIGRATIONS", "migrations"}
    assert set(storage.__all__) <= union


def test_top_level_subpackages_resolve_on_first_attribute_access() -> None:
    import subprocess
    import sys

    code = (
        "import salescore\n"
        "for name in ('analytics', 'decisions', 'domain', 'outreach', 'rules', 'storage'):\n"
        "    print(getattr(salescore, name).__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [
        f"salescore.{name}"
        for name in ("analytics", "decisions", "domain", "outreach", "rules", "storage")
    ]


@pytest.mark.parametrize(
    ("package", "eager"),
    [
        ("salescore.analytics", set()),
        ("salescore.domain.service", set()),
        ("salescore.outreach", set()),
        ("salescore.storage", {"salescore.storage.memory", "salescore.storage.protocols"}),
    ],
)
def test_subpackage_loads_its_modules_on_first_use(package: str, eager: set[str]) -> None:
    import subprocess
    import sys

    code = (
        f"import sys, {package}\n"
        f"print(sorted(m for m in sys.modules if m.startswith('{package}.')"
        " and not m.rpartition('.')[2].startswith('_')))\n"
        "print(any(m.startswith(('psycopg', 'pandas', 'rapidfuzz')) for m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == [str(sorted(eager)), "False"]


def test_rule_language_and_schema_names_are_offered() -> None:
    from salescore import domain, rules
    from salescore.domain import _rule_schemas
    from salescore.rules import _nodes, _schema

    assert rules.Match is _nodes.Match
    assert rules.MatchOp.CONTAINS == "contains"
    assert rules.Call is _nodes.Call
    assert rules.SchemaSource is _schema.SchemaSource
    assert isinstance(rules.parse("email contains '@'"), rules.Match)
    assert domain.rule_schema is _rule_schemas.rule_schema
    assert domain.RuleSchemaHook is _rule_schemas.RuleSchemaHook
    assert domain.rule_schema(domain.Lead)["interactions"] == domain.INTERACTION_RECORDS


def test_top_level_is_curated() -> None:
    newcomer = {
        "Lead",
        "Contact",
        "Account",
        "Opportunity",
        "ServiceCase",
        "Campaign",
        "Money",
        "BusinessCalendar",
        "to_dict",
        "from_dict",
        "to_json",
        "from_json",
        "rules",
        "funnels",
        "ValidationError",
        "NotFound",
        "Workspace",
        "analytics",
        "outreach",
        "storage",
    }
    assert newcomer <= set(salescore.__all__)
    assert len(salescore.__all__) < 60
    # kept importable, no longer advertised
    assert "normalize_email" not in salescore.__all__
    assert salescore.normalize_email("a@B.io") == "a@b.io"


def _facade_objects() -> list[tuple[str, str, object]]:
    """Every class and function that a public module lists in ``__all__``."""
    out = []
    for facade in PUBLIC_MODULES:
        for name in getattr(importlib.import_module(facade), "__all__", ()):
            obj = _get(facade, name)
            if (inspect.isclass(obj) or inspect.isfunction(obj)) and obj.__module__.startswith(
                "salescore"
            ):
                out.append((facade, name, obj))
    return out


def test_each_class_and_function_has_one_documented_canonical_path() -> None:
    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    checked = 0
    for facade, name, obj in _facade_objects():
        home = canonical(obj, name)
        module = importlib.import_module(home)
        assert getattr(module, name) is obj, (facade, name, home)
        assert name in module.__all__, (name, home)
        assert documented(api, home, name), (name, home)
        checked += 1
    assert checked > 700


def documented(api: str, home: str, name: str) -> bool:
    """Whether docs/api.md documents ``home.name``: its module with members, or the name itself."""
    whole = f".. automodule:: {home}\n"
    return (whole in api and f"{whole}   :no-members:" not in api) or (f":: {home}.{name}\n" in api)


def test_documented_sees_a_module_without_members() -> None:
    api = ".. automodule:: a.b\n   :no-members:\n\n.. autofunction:: a.b.f\n"
    assert documented(api, "a.b", "f")
    assert not documented(api, "a.b", "g")
    assert documented(".. automodule:: a.b\n", "a.b", "g")


def test_ready_made_funnels_have_one_public_path() -> None:
    from salescore import funnels
    from salescore.domain import standard_funnels

    assert funnels.__all__ == standard_funnels.__all__
    for name in funnels.__all__:
        assert getattr(funnels, name) is getattr(standard_funnels, name)
    assert "CAMPAIGN_STATUS" in funnels.__all__


def test_import_salescore_loads_only_the_facade() -> None:
    import subprocess
    import sys

    code = (
        "import sys, salescore\n"
        "print(sorted(m for m in sys.modules if m.startswith('salescore')))\n"
        "salescore.Lead\n"
        "print('salescore.domain.leads' in sys.modules)\n"
        "print(any(m.startswith(('dateutil', 'phonenumbers')) for m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == [
        "['salescore', 'salescore._iso4217', 'salescore._lazy', 'salescore._validation',"
        " 'salescore.errors', 'salescore.frozen', 'salescore.money', 'salescore.serialization']",
        "True",
        "False",
    ]


def test_a_document_loads_before_its_module_is_imported() -> None:
    import subprocess
    import sys

    from salescore import Lead, to_json

    at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    event = Lead.new(id="lead-1", at=at, actor="web", email="a@b.io").history[0]
    code = (
        "import sys\n"
        "from salescore import from_json\n"
        "from salescore.domain.events import Event\n"
        "assert 'salescore.domain.leads' not in sys.modules\n"
        "print(type(from_json(Event, sys.stdin.read())).__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=to_json(event),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == "LeadCreated\n"


# --- failed lookups by key ----------------------------------------------------


def _score_parts() -> tuple[ModuleType, object, object]:
    from salescore.decisions import scoring
    from salescore.rules import parse

    model = scoring.ScoreModel(
        key="fit",
        criteria=(scoring.Criterion(key="big", rule=parse("employees >= 100"), points=10),),
    )
    return (
        scoring,
        model,
        scoring.score(model, {"employees": 120}, at=datetime(2026, 11, 2, tzinfo=UTC)),
    )


def test_funnel_stage_not_found() -> None:
    from salescore.funnels import LEAD_STATUS

    with pytest.raises(NotFound) as info:
        LEAD_STATUS.stage("won")
    assert str(info.value) == (
        "'won' is not a stage of funnel 'lead_status' "
        "(new, working, nurturing, qualified, disqualified, converted)"
    )
    assert isinstance(info.value, LookupError)


def test_custom_field_not_found() -> None:
    from salescore.domain import CustomField, CustomFieldSchema, FieldType

    schema = CustomFieldSchema((CustomField(name="seats", type=FieldType.NUMBER),))
    with pytest.raises(NotFound, match=r"^'plan' is not a custom field of the schema \(seats\)$"):
        schema.field("plan")


def test_score_lookups_not_found() -> None:
    _, model, result = _score_parts()
    with pytest.raises(NotFound, match=r"^score model 'fit' has no criterion 'size'$"):
        model.criterion("size")  # type: ignore[attr-defined]
    with pytest.raises(NotFound, match=r"^the score of model 'fit' has no criterion 'size'$"):
        result.line("size")  # type: ignore[attr-defined]
    with pytest.raises(NotFound, match=r"^the score of model 'fit' has no group 'intent'$"):
        result.group("intent")  # type: ignore[attr-defined]
    assert result.group("fit").points == 10  # type: ignore[attr-defined]


def test_qualification_lookups_not_found() -> None:
    from salescore.decisions import BANT, assess

    with pytest.raises(NotFound, match=r"^framework 'bant' has no item 'champion'$"):
        BANT.item("champion")
    verdict = assess(BANT, {}, at=datetime(2026, 11, 2, tzinfo=UTC))
    with pytest.raises(NotFound, match=r"^the verdict of framework 'bant' has no item 'x'$"):
        verdict.item("x")


def test_explanation_operand_not_found() -> None:
    from salescore.rules import parse

    clause = parse("employees >= 50").explain({"employees": 10}).clauses[0]
    assert clause.value("employees") == 10
    with pytest.raises(NotFound, match=r"^the clause 'employees >= 50' saw no operand 'x'$"):
        clause.value("x")


def test_closing_on_an_unknown_stage_is_still_a_validation_error() -> None:
    from salescore import Opportunity

    at = datetime(2026, 11, 2, tzinfo=UTC)
    deal = Opportunity.new(id="d-1", at=at, actor="rep", name="Deal", account_id="acc-1")
    with pytest.raises(ValidationError) as info:
        deal.close_won(at=at, actor="rep", stage="bogus")
    assert info.value.paths == ("stage",)
