"""Minority views go into the public dossier word for word: the personal data guard reads them before
publishing, and facilitators keep each flagged one as written or leave it out."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import select

from tests.dossier.support import cast_ballots, consolidation
from tests.factories import add_member, make_cycle, make_user
from tests.helpers import post_form, sign_in
from workspace.accounts.models import MembershipRole
from workspace.core.forms import Form
from workspace.core.models import AuditEntry
from workspace.cycles import services as cycles
from workspace.dossier import services
from workspace.dossier.models import Dossier, DossierVersion
from workspace.voting.models import Choice

PERSONAL = "Mme Dupont (0470 12 34 56) attend depuis deux ans, ce n'est pas faisable."


async def _with_personal_reason(db):
    setup = await consolidation(db)
    voter = await make_user(db, display_name="Vera Votante")
    await add_member(db, voter, setup.cycle)
    await cast_ballots(db, setup.adopted[1], [(voter, Choice.AGAINST, PERSONAL)])
    return setup


def _keys(text: str) -> list[str]:
    return re.findall(r'name="key" value="([^"]+)"', text)


async def test_publishing_is_refused_while_a_minority_view_holds_undecided_personal_data(client, db):
    setup = await _with_personal_reason(db)
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    page = await client.get(f"/cycles/{slug}/dossier/consolidation")
    assert "Minority views to check" in page.text
    assert "a phone number" in page.text
    assert len(_keys(page.text)) == 1
    response = await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    assert response.status_code == 400
    assert "minority view(s) hold passages that look like personal data" in response.text
    async with db.session(write=False) as session:
        assert await session.scalar(select(DossierVersion).where(DossierVersion.cycle_id == setup.cycle.id)) is None


async def test_a_minority_view_left_out_is_not_printed_and_the_dossier_publishes(client, db):
    setup = await _with_personal_reason(db)
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    page = await client.get(f"/cycles/{slug}/dossier/consolidation")
    left_out = await post_form(
        client,
        f"/cycles/{slug}/dossier/reasons",
        {"key": _keys(page.text)[0], "decision": "omit"},
        token_from=f"/cycles/{slug}",
    )
    assert left_out.status_code == 303
    page = await client.get(f"/cycles/{slug}/dossier/consolidation")
    assert "Decision: left out of the dossier." in page.text
    preview = await client.get(f"/cycles/{slug}/dossier/preview")
    assert "0470 12 34 56" not in preview.text
    assert "Trop cher pour les petites communes" in preview.text  # other minority views stay
    published = await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    assert published.status_code == 303
    async with db.session(write=False) as session:
        version = await session.scalar(select(DossierVersion).where(DossierVersion.cycle_id == setup.cycle.id))
    assert "0470 12 34 56" not in str(version.content)
    assert "Trop cher pour les petites communes" in str(version.content)
    async with db.session(write=False) as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "dossier.reason_review"))
    assert entry is not None
    assert entry.details["decision"] == "omit"


async def test_a_minority_view_kept_as_written_is_printed(client, db):
    setup = await _with_personal_reason(db)
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    page = await client.get(f"/cycles/{slug}/dossier/consolidation")
    kept = await post_form(
        client,
        f"/cycles/{slug}/dossier/reasons",
        {"key": _keys(page.text)[0], "decision": "keep"},
        token_from=f"/cycles/{slug}",
    )
    assert kept.status_code == 303
    published = await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    assert published.status_code == 303
    async with db.session(write=False) as session:
        version = await session.scalar(select(DossierVersion).where(DossierVersion.cycle_id == setup.cycle.id))
    assert "0470 12 34 56" in str(version.content)


async def test_only_facilitators_of_the_cycle_decide_and_only_about_flagged_views(client, db):
    setup = await _with_personal_reason(db)
    slug = setup.cycle.slug
    await sign_in(client, setup.facilitator)
    key = _keys((await client.get(f"/cycles/{slug}/dossier/consolidation")).text)[0]
    other_cycle = await make_cycle(db)
    other_facilitator = await make_user(db)
    await add_member(db, other_facilitator, other_cycle, role=MembershipRole.FACILITATOR, group=None)
    outsider = await make_user(db)
    for person in (setup.member, outsider, other_facilitator):
        client.cookies.clear()
        await sign_in(client, person)
        response = await post_form(client, f"/cycles/{slug}/dossier/reasons", {"key": key, "decision": "keep"})
        assert response.status_code == 404, person.display_name
    client.cookies.clear()
    await sign_in(client, setup.facilitator)
    for data in ({"key": key, "decision": "publish"}, {"key": "not-a-key", "decision": "keep"}, {"decision": "omit"}):
        response = await post_form(client, f"/cycles/{slug}/dossier/reasons", data, token_from=f"/cycles/{slug}")
        assert response.status_code == 404, data
    async with db.session(write=False) as session:
        dossier = await session.scalar(select(Dossier).where(Dossier.cycle_id == setup.cycle.id))
    assert dossier is None or dossier.reason_reviews == {}


async def test_two_facilitators_deciding_at_once_both_count(db):
    setup = await _with_personal_reason(db)
    other_voter = await make_user(db, display_name="Otto Ander")
    await add_member(db, other_voter, setup.cycle)
    await cast_ballots(db, setup.adopted[0], [(other_voter, Choice.BLOCK, "Zie dossier van Jan Peeters (45 jaar).")])
    async with db.session(write=False) as session:
        keys = [reason.key for reason in await services.flagged_reasons(session, setup.cycle)]
    assert len(keys) == 2

    async def decide(key: str, decision: str) -> None:
        async with db.transaction() as session:
            access = await cycles.get_cycle(session, setup.cycle.slug, setup.facilitator)
            await services.review_reason(session, access, Form(values={"key": key, "decision": decision}),
                                         setup.facilitator)  # fmt: skip

    await asyncio.gather(decide(keys[0], "keep"), decide(keys[1], "omit"))
    async with db.session(write=False) as session:
        dossier = await session.scalar(select(Dossier).where(Dossier.cycle_id == setup.cycle.id))
    assert dossier.reason_reviews == {keys[0]: "keep", keys[1]: "omit"}
