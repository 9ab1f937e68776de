"""Scripted simulations of a sales organisation, driving the real model.

A :class:`Scenario` (from TOML or a mapping) describes lead sources, teams,
a cadence, a pipeline and a service desk; :func:`simulate` runs it once on a
:class:`~salescore.workspace.Workspace` and returns the event log and the
reports; :func:`~salescore.simulation.runner.run` (outside the core) runs
replications and variants, on an executor if given. Guide: :doc:`/simulation`.
"""

from __future__ import annotations

from salescore.simulation.demo import B2B_QUARTER, b2b_quarter
from salescore.simulation.engine import Progress, SimulationResult, simulate
from salescore.simulation.scenario import (
    AttributeRule,
    CadenceStepSpec,
    Criterion,
    PartSpec,
    PipelineSpec,
    QualificationItem,
    RouteSpec,
    Scenario,
    ServiceSpec,
    SlaSpec,
    SourceSpec,
    StageSpec,
    TeamSpec,
)
from salescore.simulation.summary import FUNNEL_STEPS, Summary, summarize

__all__ = [
    "B2B_QUARTER",
    "FUNNEL_STEPS",
    "AttributeRule",
    "CadenceStepSpec",
    "Criterion",
    "PartSpec",
    "PipelineSpec",
    "Progress",
    "QualificationItem",
    "RouteSpec",
    "Scenario",
    "ServiceSpec",
    "SimulationResult",
    "SlaSpec",
    "SourceSpec",
    "StageSpec",
    "Summary",
    "TeamSpec",
    "b2b_quarter",
    "simulate",
    "summarize",
]
