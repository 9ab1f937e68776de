"""Decisions: qualification frameworks, lead scores, the win model and routing.

They apply rules (:mod:`salescore.rules`) to leads, deals and cases and say
why, as data. Guides: :doc:`/qualification`, :doc:`/scoring`, :doc:`/routing`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from salescore._lazy import attach, exports, star

if TYPE_CHECKING:
    from salescore.decisions.qualification import (
        ANUM as ANUM,
        BANT as BANT,
        CHAMP as CHAMP,
        FRAMEWORKS as FRAMEWORKS,
        GPCTBA_CI as GPCTBA_CI,
        MEDDIC as MEDDIC,
        MEDDPICC as MEDDPICC,
        QUALIFICATION_FIELDS as QUALIFICATION_FIELDS,
        Framework as Framework,
        FrameworkItem as FrameworkItem,
        ItemResult as ItemResult,
        ItemStatus as ItemStatus,
        QualificationVerdict as QualificationVerdict,
        RepAnswer as RepAnswer,
        Verdict as Verdict,
        assess as assess,
    )
    from salescore.decisions.routing import (
        RepLike as RepLike,
        RoutingDecision as RoutingDecision,
        RoutingRule as RoutingRule,
        RoutingState as RoutingState,
        RoutingTable as RoutingTable,
        RuleCheck as RuleCheck,
        Strategy as Strategy,
        Target as Target,
        TargetKind as TargetKind,
        TeamLike as TeamLike,
        route as route,
    )
    from salescore.decisions.scoring import (
        Criterion as Criterion,
        CriterionScore as CriterionScore,
        GroupScore as GroupScore,
        HalfLife as HalfLife,
        ScoredLead as ScoredLead,
        ScoreGroup as ScoreGroup,
        ScoreModel as ScoreModel,
        ScoreResult as ScoreResult,
        Step as Step,
        StepDecay as StepDecay,
        Threshold as Threshold,
        apply_score as apply_score,
        score as score,
    )
    from salescore.decisions.win_model import (
        Contribution as Contribution,
        FieldCount as FieldCount,
        StageCount as StageCount,
        TrainingExample as TrainingExample,
        ValueCount as ValueCount,
        WinModel as WinModel,
        WinPrediction as WinPrediction,
        WinTable as WinTable,
    )

_EXPORTS = exports(
    {
        "salescore.decisions.qualification": (
            "ANUM",
            "BANT",
            "CHAMP",
            "FRAMEWORKS",
            "Framework",
            "FrameworkItem",
            "GPCTBA_CI",
            "ItemResult",
            "ItemStatus",
            "MEDDIC",
            "MEDDPICC",
            "QUALIFICATION_FIELDS",
            "QualificationVerdict",
            "RepAnswer",
            "Verdict",
            "assess",
            "qualification",
        ),
        "salescore.decisions.routing": (
            "RepLike",
            "RoutingDecision",
            "RoutingRule",
            "RoutingState",
            "RoutingTable",
            "RuleCheck",
            "Strategy",
            "Target",
            "TargetKind",
            "TeamLike",
            "route",
            "routing",
        ),
        "salescore.decisions.scoring": (
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
            "scoring",
        ),
        "salescore.decisions.win_model": (
            "Contribution",
            "FieldCount",
            "StageCount",
            "TrainingExample",
            "ValueCount",
            "WinModel",
            "WinPrediction",
            "WinTable",
            "win_model",
        ),
    }
)

__all__ = star(_EXPORTS)
__getattr__, __dir__ = attach(__name__, _EXPORTS)
