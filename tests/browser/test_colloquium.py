"""The colloquium in real browsers: the facilitator's projector screen redraws as a member votes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from tests.browser.support import FACILITATOR, MEMBER_FR, watch_csp
from workspace.accounts.models import MembershipRole, User
from workspace.cycles.models import Axis, Cycle, Membership, Phase
from workspace.cycles.services import SEEDED_AXES
from workspace.recommendations.models import Recommendation, Status

SLUG = "2011-colloque-en-direct"


@pytest.fixture
def colloquium(live_server: str, live_workdir: Path) -> Iterator[str]:
    """A 2011 cycle in its voting phase beside the demo (older, so the demo's pages do not change), with a
    recommendation on the screen. Written straight into the live server's database."""
    engine = create_engine(f"sqlite:///{live_workdir / 'passerelle.sqlite3'}")
    with Session(engine) as session, session.begin():
        people = {
            user.email: user for user in session.scalars(select(User).where(User.email.in_([FACILITATOR, MEMBER_FR])))
        }
        cycle = Cycle(
            year=2011,
            slug=SLUG,
            title_fr="Colloque en direct",
            title_nl="Colloquium live",
            phase=Phase.VOTING,
            results_live=True,
        )
        for position, (code, fr, nl, en, *_rest) in enumerate(SEEDED_AXES):
            cycle.axes.append(Axis(code=code, position=position, name_fr=fr, name_nl=nl, name_en=en))
        session.add(cycle)
        session.flush()
        session.add(Membership(user_id=people[FACILITATOR].id, cycle_id=cycle.id, role=MembershipRole.FACILITATOR))
        session.add(Membership(user_id=people[MEMBER_FR].id, cycle_id=cycle.id, role=MembershipRole.MEMBER))
        recommendation = Recommendation(
            cycle_id=cycle.id,
            axis_id=cycle.axes[1].id,
            status=Status.SUBMITTED,
            title="Un référent logement dans chaque mission locale",
        )
        session.add(recommendation)
        session.flush()
        cycle.colloquium_recommendation_id = recommendation.id
        recommendation_id = recommendation.id
    engine.dispose()
    return f"/recommendations/{recommendation_id}"


def test_the_screen_redraws_when_a_member_votes(page_as: Callable[[str], Page], colloquium: str) -> None:
    screen = page_as(FACILITATOR)
    violations = watch_csp(screen)
    screen.goto(f"/cycles/{SLUG}/colloquium")
    expect(screen.locator("#screen h2")).to_have_text("Un référent logement dans chaque mission locale")
    expect(screen.locator("#screen progress")).to_have_attribute("value", "0")

    julien = page_as(MEMBER_FR)
    julien.goto(colloquium)
    julien.locator("#choice-for").check()
    julien.locator("#vote button[type='submit']").click()
    expect(julien.locator("#vote .my-ballot")).to_be_visible()

    expect(screen.locator("#screen progress")).to_have_attribute("value", "1")
    expect(screen.locator("#screen .result-table")).to_be_visible()
    assert not violations
