"""The summary gives each funnel report the changes of its own funnel only: the same report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.analytics import funnel_report
from salescore.domain.events import StageChanged
from salescore.domain.standard_funnels import B2B_PIPELINE, LEAD_STATUS, LIFECYCLE

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
FUNNELS = (LEAD_STATUS, B2B_PIPELINE, LIFECYCLE)


@st.composite
def changes(draw: st.DrawFn) -> list[StageChanged]:
    out = []
    for _ in range(draw(st.integers(0, 30))):
        funnel = draw(st.sampled_from(FUNNELS))
        out.append(
            StageChanged(
                subject_id=draw(st.sampled_from(("a", "b", "c", "d"))),
                funnel=funnel.key,
                from_stage=None,
                to_stage=draw(st.sampled_from(funnel.keys)),
                at=T0 + timedelta(hours=draw(st.integers(0, 200))),
                actor="rep",
            )
        )
    return out


@settings(max_examples=200, deadline=None)
@given(changes())
def test_a_funnel_report_of_its_own_changes_is_the_report_of_the_whole_log(
    log: list[StageChanged],
) -> None:
    for funnel in (LEAD_STATUS, B2B_PIPELINE):
        own = [c for c in log if c.funnel == funnel.key]
        assert funnel_report(funnel, own) == funnel_report(funnel, log)
