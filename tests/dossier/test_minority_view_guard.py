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
from workspace.dossier import guard, services
from workspace.dossier.models import Dossier, DossierVersion
from workspace.voting.models import Ballot, Choice

PERSONAL = "Mme Dupont (0470 12 34 56) attend depuis deux ans, ce n'est pas faisable."


async def _with_personal_reason(db):
    setup = await consolidation(db)
    voter = await make_user(db, display_name="Vera Votante")
    await add_member(db, voter, setup.cycle)
    await cast_ballots(db, setup.adopted[1], [(voter, Choice.AGAINST, PERSONAL)])
    return setup


def _keys(text: str) -> list[str]:
    return re.findall(r'name="key" value="([^"]+)"', text)


async def _decide(client, slug: str, decision: str):  # type: ignore[no-untyped-def]
    """The signed-in facilitator decides about the first flagged minority view on the consolidation page."""
    page = await client.get(f"/cycles/{slug}/dossier/consolidation")
    data = {"key": _keys(page.text)[0], "decision": decision}
    return await post_form(client, f"/cycles/{slug}/dossier/reasons", data, token_from=f"/cycles/{slug}")


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
    assert (await _decide(client, slug, "omit")).status_code == 303
    page = await client.get(f"/cycles/{slug}/dossier/consolidation")
    assert "Decision: left out of the dossier and the results." in page.text
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
    assert (await _decide(client, slug, "keep")).status_code == 303
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
        reviews = (await session.scalars(select(Ballot.reason_review).where(Ballot.reason_review.is_not(None)))).all()
    assert reviews == []


async def test_facilitators_saving_at_once_all_count(db):
    """Two decisions, a reordering and the introductions at once, on a dossier nobody saved before."""
    setup = await _with_personal_reason(db)
    other_voter = await make_user(db, display_name="Otto Ander")
    await add_member(db, other_voter, setup.cycle)
    await cast_ballots(db, setup.adopted[0], [(other_voter, Choice.BLOCK, "Zie dossier van Jan Peeters (45 jaar).")])
    async with db.session(write=False) as session:
        keys = [reason.key for reason in await guard.flagged_reasons(session, setup.cycle)]
    assert len(keys) == 2

    async def act(action, **values: str) -> None:  # type: ignore[no-untyped-def]
        async with db.transaction() as session:
            access = await cycles.get_cycle(session, setup.cycle.slug, setup.facilitator)
            await action(session, access, Form(values=values), setup.facilitator)

    async def move(session, access, form, _actor) -> None:  # type: ignore[no-untyped-def]
        await services.move(session, access, setup.adopted[1].id, "up")

    await asyncio.gather(
        act(guard.review_reason, key=keys[0], decision="keep"),
        act(guard.review_reason, key=keys[1], decision="omit"),
        act(services.save_introductions, introduction_fr="Une année de travail.", introduction_nl="Een jaar werk."),
        act(move),
    )
    async with db.session(write=False) as session:
        decided = {str(ballot.id): ballot.reason_review for ballot in (await session.scalars(select(Ballot))).all()}
        dossier = await session.scalar(select(Dossier).where(Dossier.cycle_id == setup.cycle.id))
    assert {key: decided[key] for key in keys} == {keys[0]: "keep", keys[1]: "omit"}
    assert dossier.introduction_fr == "Une année de travail."
    assert dossier.order.index(str(setup.adopted[1].id)) < dossier.order.index(str(setup.adopted[0].id))


async def test_a_reason_left_out_is_not_shown_on_the_results_either(client, db):
    setup = await _with_personal_reason(db)
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    results_pages = (f"/recommendations/{setup.adopted[1].id}", f"/recommendations/{setup.adopted[1].id}/ballot")
    for path in results_pages:
        assert "0470 12 34 56" in (await client.get(path)).text, path
    assert (await _decide(client, slug, "omit")).status_code == 303
    for path in results_pages:
        text = (await client.get(path)).text
        assert "0470 12 34 56" not in text, path
    assert "0470 12 34 56" in (await client.get(f"/cycles/{slug}/dossier/consolidation")).text
