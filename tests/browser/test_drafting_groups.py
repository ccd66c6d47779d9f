"""A member of two working groups writes a recommendation without JavaScript: the form asks which group it
comes from (the one whose page they came from is chosen in advance), refuses none with the message by the
field and the text kept, and the recommendation belongs to the group chosen."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from tests.browser.support import MEMBER_FR, sign_in
from tests.browser.test_accessibility import AXE, AXE_OPTIONS, format_violations
from workspace.accounts.models import MembershipRole, User
from workspace.cycles.models import Axis, Cycle, Membership, Phase, WorkingGroup
from workspace.cycles.services import SEEDED_AXES
from workspace.recommendations.models import Recommendation

SLUG = "2011-deux-groupes"
TITLE = "Un seul dossier pour le logement insalubre"


def _database(live_workdir: Path) -> str:
    return f"sqlite:///{live_workdir / 'passerelle.sqlite3'}"


@pytest.fixture
def two_groups(live_server: str, live_workdir: Path) -> dict[str, str]:
    """A 2011 cycle in drafting beside the demo, with the demo member in two of its three groups."""
    engine = create_engine(_database(live_workdir))
    with Session(engine) as session, session.begin():
        cycle = session.scalar(select(Cycle).where(Cycle.slug == SLUG))
        if cycle is None:
            member = session.scalar(select(User).where(User.email == MEMBER_FR))
            cycle = Cycle(
                year=2011, slug=SLUG, title_fr="Logement insalubre", title_nl="Ongezonde woningen", phase=Phase.DRAFTING
            )
            for position, (code, fr, nl, en, *_rest) in enumerate(SEEDED_AXES):
                cycle.axes.append(Axis(code=code, position=position, name_fr=fr, name_nl=nl, name_en=en))
            for name in ("Groupe Lille", "Groupe Tournai", "Groupe Gent"):
                cycle.groups.append(WorkingGroup(name=name))
            session.add(cycle)
            session.flush()
            for group in cycle.groups[:2]:
                session.add(
                    Membership(user_id=member.id, cycle_id=cycle.id, group_id=group.id, role=MembershipRole.MEMBER)
                )
        groups = {
            group.name: str(group.id)
            for group in session.scalars(select(WorkingGroup).where(WorkingGroup.cycle_id == cycle.id))
        }
    engine.dispose()
    return groups


def test_a_member_of_two_groups_chooses_the_group_without_javascript(
    new_context: Callable[..., BrowserContext], two_groups: dict[str, str], live_workdir: Path
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, MEMBER_FR)
    page.goto(f"/groups/{two_groups['Groupe Tournai']}")
    page.locator("main a[href*='/axes/p/new']").click()
    expect(page).to_have_url(re.compile(rf"/cycles/{SLUG}/axes/p/new\?group="))
    question = page.locator("main fieldset#group")
    expect(question.locator("input[type='radio']")).to_have_count(2)
    expect(question.get_by_label("Groupe Tournai")).to_be_checked()
    expect(question.get_by_label("Groupe Gent")).to_have_count(0)

    page.goto(f"/cycles/{SLUG}/axes/p/new")
    expect(question.locator("input:checked")).to_have_count(0)
    form = page.locator("main form[action$='/axes/p/new']")
    form.locator("#title").fill(TITLE)
    form.locator("#finding").fill("Trois services visitent le même logement sans se parler.")
    form.locator("#proposal").fill("Un dossier commun aux trois services.")
    with page.expect_navigation():
        form.locator("button[type='submit']").first.click()
    expect(page.locator("#group-error")).to_have_text(
        "Choisissez celui de vos groupes de travail dont vient cette recommandation."
    )
    expect(page.locator(".form-errors li")).to_have_count(1)
    expect(page.locator(".form-errors a[href='#group']")).to_be_visible()
    expect(form.locator("#title")).to_have_value(TITLE)
    question.get_by_label("Groupe Lille").check()
    with page.expect_navigation():
        form.locator("button[type='submit']").first.click()
    expect(page).to_have_url(re.compile(r"/recommendations/[0-9a-f-]+$"))
    expect(page.locator("h1")).to_have_text(TITLE)

    engine = create_engine(_database(live_workdir))
    with Session(engine) as session:
        group_id = session.scalar(select(Recommendation.group_id).where(Recommendation.title == TITLE))
    engine.dispose()
    assert str(group_id) == two_groups["Groupe Lille"]


def test_the_question_of_the_group_is_accessible(page_as: Callable[[str], Page], two_groups: dict[str, str]) -> None:
    page = page_as(MEMBER_FR)
    page.goto(f"/cycles/{SLUG}/axes/p/new")
    page.locator("main form[action$='/axes/p/new'] button[type='submit']").first.click()
    expect(page.locator("#group-error")).to_be_visible()
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, format_violations(violations)
