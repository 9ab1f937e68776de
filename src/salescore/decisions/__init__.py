"""Decisions: qualification frameworks, lead scores, the win model and routing.

They apply rules (:mod:`salescore.rules`) to leads, deals and cases and say
why, as data. Guides: :doc:`/qualification`, :doc:`/scoring`, :doc:`/routing`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from salescore._lazy import attach, exports, star

if TYPE_CHECKING:
    from salescore.decisions.qualification import *
    from salescore.decisions.routing import *
    from salescore.decisions.scoring import *
    from salescore.decisions.win_model import *

# Module → the names offered from it, space-separated (a module's own name offers the module).
_EXPORTS = exports(
    {
        "salescore.decisions.qualification": (
            "ANUM BANT CHAMP FRAMEWORKS Framework FrameworkItem GPCTBA_CI ItemResult"
            " ItemStatus MEDDIC MEDDPICC QUALIFICATION_FIELDS QualificationVerdict RepAnswer"
            " Verdict assess qualification"
        ),
        "salescore.decisions.routing": (
            "RepLike RoutingDecision RoutingRule RoutingState RoutingTable RuleCheck Strategy"
            " Target TargetKind TeamLike route routing"
        ),
        "salescore.decisions.scoring": (
            "Criterion CriterionScore GroupScore HalfLife ScoreGroup ScoreModel ScoreResult"
            " ScoredLead Step StepDecay Threshold apply_score score scoring"
        ),
        "salescore.decisions.win_model": (
            "Contribution FieldCount StageCount TrainingExample ValueCount WinModel"
            " WinPrediction WinTable win_model"
        ),
    }
)

__all__ = star(_EXPORTS)
__getattr__, __dir__ = attach(__name__, _EXPORTS)
