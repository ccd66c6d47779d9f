"""Two people on one recommendation in two real browsers: a comment posted in one appears in the other
without a reload (server-sent events), and the form that sent it is ready for the next one."""

from __future__ import annotations

from collections.abc import Callable
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

SLUG = "2010-discussion-en-direct"


@pytest.fixture
def discussed(live_server: str, live_workdir: Path) -> str:
    """A 2010 cycle in discussion beside the demo, written straight into the live server's database."""
    engine = create_engine(f"sqlite:///{live_workdir / 'passerelle.sqlite3'}")
    with Session(engine) as session, session.begin():
        existing = session.scalar(select(Recommendation.id).join(Cycle).where(Cycle.slug == SLUG))
        if existing is None:
            people = {
                user.email: user
                for user in session.scalars(select(User).where(User.email.in_([FACILITATOR, MEMBER_FR])))
            }
            cycle = Cycle(
                year=2010, slug=SLUG, title_fr="Discussion en direct", title_nl="Live discussie", phase=Phase.DISCUSSION
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
                title="Une permanence commune des CPAS et des CCAS",
                finding="Les familles ne savent pas à qui s’adresser.",
            )
            session.add(recommendation)
            session.flush()
            existing = recommendation.id
    engine.dispose()
    return f"/recommendations/{existing}"


def test_a_comment_appears_in_the_other_browser_without_reload(page_as: Callable[[str], Page], discussed: str) -> None:
    sophie, julien = page_as(FACILITATOR), page_as(MEMBER_FR)
    violations = watch_csp(sophie) + watch_csp(julien)
    sophie.goto(discussed)
    julien.goto(discussed)
    expect(sophie.locator("#comment-list")).to_be_visible()
    sophie.wait_for_timeout(500)  # the event stream connects

    julien.locator("#body").fill("Côté wallon, le **CPAS** reçoit sans rendez-vous le mardi.")
    julien.locator("#comment-form button[type='submit']").click()

    expect(sophie.locator("#comment-list")).to_contain_text("reçoit sans rendez-vous", timeout=10_000)
    expect(sophie.locator("#comment-list strong")).to_have_text("CPAS")
    expect(julien.locator("#comment-list")).to_contain_text("reçoit sans rendez-vous")
    expect(julien.locator("#body")).to_have_value("")
    assert sophie.url.endswith(discussed)
    assert violations == []
