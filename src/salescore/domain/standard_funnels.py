"""Ready-made funnels.

* :data:`MARKETING`: awareness → interest → consideration → decision.
* :data:`LEAD_STATUS`: a lead's working status, with an explicit table of
  allowed moves (``converted`` is reached only by converting the lead).
* :data:`LIFECYCLE`: subscriber → lead → mql → sql → opportunity → customer →
  evangelist; forward only, skipping allowed.
* :data:`TASK_STATUS`: open → done or cancelled; either may be reopened.
* :data:`CASE_STATUS`: a service case's status: new → open → pending (waiting
  on the customer) / on hold (waiting on a third party) → solved → closed,
  with an explicit table of allowed moves (see its docstring).
* :data:`B2B_PIPELINE`: a business-to-business deal pipeline with default
  probabilities and forecast categories; amount and close date are required
  to enter ``proposal`` and a lost reason to enter ``closed_lost``.

Copy and adapt them (they are plain data) to build your own.
"""

from __future__ import annotations

from salescore.domain.stages import ForecastCategory, Funnel, Stage, StageKind, TransitionPolicy

__all__ = [
    "B2B_PIPELINE",
    "CAMPAIGN_STATUS",
    "CASE_STATUS",
    "LEAD_STATUS",
    "LIFECYCLE",
    "MARKETING",
    "TASK_STATUS",
]

MARKETING = Funnel(
    key="marketing",
    label="Marketing funnel",
    stages=(
        Stage(key="awareness"),
        Stage(key="interest"),
        Stage(key="consideration"),
        Stage(key="decision"),
    ),
    policy=TransitionPolicy(skipping=True, backwards=False),
)

LEAD_STATUS = Funnel(
    key="lead_status",
    label="Lead status",
    stages=(
        Stage(key="new"),
        Stage(key="working"),
        Stage(key="nurturing"),
        Stage(key="qualified"),
        Stage(key="disqualified", kind=StageKind.LOST),
        Stage(key="converted", kind=StageKind.WON),
    ),
    policy=TransitionPolicy.explicit(
        {
            "new": {"working", "nurturing", "qualified", "disqualified"},
            "working": {"nurturing", "qualified", "disqualified"},
            "nurturing": {"working", "qualified", "disqualified"},
            "qualified": {"working", "disqualified", "converted"},
            "disqualified": {"working", "nurturing"},
            "converted": set(),
        }
    ),
)

LIFECYCLE = Funnel(
    key="lifecycle",
    label="Lifecycle stage",
    stages=(
        Stage(key="subscriber"),
        Stage(key="lead"),
        Stage(key="mql", label="Marketing-qualified lead"),
        Stage(key="sql", label="Sales-qualified lead"),
        Stage(key="opportunity"),
        Stage(key="customer"),
        Stage(key="evangelist"),
    ),
    policy=TransitionPolicy(skipping=True, backwards=False),
)

B2B_PIPELINE = Funnel(
    key="b2b_pipeline",
    label="B2B pipeline",
    stages=(
        Stage(key="qualification", probability=0.10, forecast_category=ForecastCategory.PIPELINE),
        Stage(key="discovery", probability=0.20, forecast_category=ForecastCategory.PIPELINE),
        Stage(
            key="proposal",
            probability=0.50,
            forecast_category=ForecastCategory.BEST_CASE,
            requires=("amount", "close_date"),
        ),
        Stage(
            key="negotiation",
            probability=0.75,
            forecast_category=ForecastCategory.COMMIT,
            requires=("amount", "close_date"),
        ),
        Stage(
            key="closed_won",
            label="Closed won",
            kind=StageKind.WON,
            probability=1.0,
            forecast_category=ForecastCategory.CLOSED,
        ),
        Stage(
            key="closed_lost",
            label="Closed lost",
            kind=StageKind.LOST,
            probability=0.0,
            forecast_category=ForecastCategory.OMITTED,
            requires=("lost_reason",),
        ),
    ),
    policy=TransitionPolicy(skipping=True, backwards=True, reopen=True),
)

TASK_STATUS = Funnel(
    key="task_status",
    label="Task status",
    stages=(
        Stage(key="open"),
        Stage(key="done", kind=StageKind.WON),
        Stage(key="cancelled", kind=StageKind.LOST),
    ),
    policy=TransitionPolicy.explicit(
        {"open": {"done", "cancelled"}, "done": {"open"}, "cancelled": {"open"}}
    ),
)

CASE_STATUS = Funnel(
    key="case_status",
    label="Case status",
    stages=(
        Stage(key="new"),
        Stage(key="open"),
        Stage(key="pending", label="Pending (waiting on the customer)"),
        Stage(key="on_hold", label="On hold (waiting on a third party)"),
        Stage(key="solved", kind=StageKind.WON),
        Stage(key="closed", kind=StageKind.WON),
    ),
    policy=TransitionPolicy.explicit(
        {
            "new": {"open", "pending", "on_hold", "solved", "closed"},
            "open": {"pending", "on_hold", "solved", "closed"},
            "pending": {"open", "on_hold", "solved", "closed"},
            "on_hold": {"open", "pending", "solved", "closed"},
            "solved": {"open", "closed"},
            "closed": set(),
        }
    ),
)
"""A service case's status.

Allowed moves (the explicit table):

======== ==================================================
from     to
======== ==================================================
new      open, pending, on_hold, solved, closed
open     pending, on_hold, solved, closed
pending  open, on_hold, solved, closed
on_hold  open, pending, solved, closed
solved   open (a reopen), closed
closed   nothing: closed is final
======== ==================================================

:class:`~salescore.domain.service.cases.ServiceCase` adds the checks that need more
than the table: a reopen (solved → open) only within the case's reopen
window, and an unsolved case reaches ``closed`` only by being merged into
another case.
"""

#: planned → active → completed; planned or active → aborted. Completed and
#: aborted are final.
CAMPAIGN_STATUS = Funnel(
    key="campaign_status",
    label="Campaign status",
    stages=(
        Stage(key="planned"),
        Stage(key="active"),
        Stage(key="completed", kind=StageKind.WON),
        Stage(key="aborted", kind=StageKind.LOST),
    ),
    policy=TransitionPolicy.explicit(
        {
            "planned": {"active", "aborted"},
            "active": {"completed", "aborted"},
            "completed": set(),
            "aborted": set(),
        }
    ),
)
