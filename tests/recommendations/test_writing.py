"""Writing recommendations: create, edit, revisions, history, compare, restore, and who may do it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tests.factories import add_member, make_cycle, make_recommendation, make_user
from tests.helpers import headings, post_form, sign_in
from workspace.accounts.models import Language, MembershipRole
from workspace.core.models import AuditEntry
from workspace.cycles.models import Eligibility, Phase
from workspace.discussion.models import Notification
from workspace.recommendations.models import Recommendation, Revision, Status

TEXT = {
    "title": "Un guichet unique transfrontalier",
    "finding": "Un jeune frappe à **quatre** portes.",
    "proposal": "Ouvrir un guichet commun.",
    "action_level": "cross_border",
    "institutions": "Eurométropole",
    "expected_effect": "Moins de non-recours.",
    "scheme_fr": "CLLAJ",
    "scheme_wal": "Info-Jeunes",
    "scheme_vl": "JAC",
    "harmonisation": "Un même accueil.",
    "tags": "jeunes, accès aux droits",
}


async def member_in(db, cycle, **fields):
    user = await make_user(db, **fields)
    await add_member(db, user, cycle)
    return user


def edit_data(recommendation, base: int, **changes: str) -> dict[str, str]:
    data = {
        "title": recommendation.title,
        "finding": recommendation.finding,
        "proposal": recommendation.proposal,
        "action_level": "local",
        "institutions": "",
        "expected_effect": "",
        "scheme_fr": "",
        "scheme_wal": "",
        "scheme_vl": "",
        "harmonisation": "",
        "tags": "",
        "base_revision": str(base),
        "message": "",
    }
    return {**data, **changes}


async def revisions_of(db, recommendation_id):
    async with db.session(write=False) as session:
        return list(
            (
                await session.scalars(
                    select(Revision).where(Revision.recommendation_id == recommendation_id).order_by(Revision.number)
                )
            ).all()
        )


async def test_a_member_writes_a_recommendation_as_a_draft(client, db):
    cycle = await make_cycle(db)
    author = await member_in(db, cycle)
    await sign_in(client, author)
    path = f"/cycles/{cycle.slug}/axes/p/new"
    response = await post_form(client, path, TEXT, token_from=path)
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Un guichet unique transfrontalier" in page.text
    assert "<strong>quatre</strong>" in page.text
    assert "#jeunes" in page.text
    async with db.session(write=False) as session:
        recommendation = await session.scalar(select(Recommendation).where(Recommendation.cycle_id == cycle.id))
    assert recommendation.status == Status.DRAFT
    assert recommendation.author_id == author.id
    assert [revision.number for revision in await revisions_of(db, recommendation.id)] == [1]


async def test_a_new_recommendation_with_errors_keeps_the_text(client, db):
    cycle = await make_cycle(db)
    author = await member_in(db, cycle)
    await sign_in(client, author)
    path = f"/cycles/{cycle.slug}/axes/p/new"
    response = await post_form(client, path, {**TEXT, "title": "", "proposal": "x" * 30_000}, token_from=path)
    assert response.status_code == 400
    assert "Un jeune frappe à **quatre** portes." in response.text
    assert 'id="title-error"' in response.text
    assert 'id="proposal-error"' in response.text
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(Recommendation)) == 0


async def test_a_member_of_several_groups_says_which_one_the_recommendation_comes_from(client, db):
    """Under group voting the group decides who votes: it is asked, never guessed (it was the lowest id)."""
    cycle = await make_cycle(db, groups=3, eligibility=Eligibility.GROUP)
    lille, tournai, gent = sorted(cycle.groups, key=lambda group: group.id)
    elsewhere = (await make_cycle(db)).groups[0]
    author = await make_user(db)
    for group in (lille, tournai):
        await add_member(db, author, cycle, group=group)
    await sign_in(client, author)
    path = f"/cycles/{cycle.slug}/axes/p/new"
    page = await client.get(path)
    assert 'name="group"' in page.text
    assert page.text.count('type="radio" id="group-') == 2
    assert str(gent.id) not in page.text
    assert "checked" not in page.text.split('id="group"')[1].split("</fieldset>")[0]
    for forged in ("", str(gent.id), str(elsewhere.id), "not-a-group"):
        refused = await post_form(client, path, {**TEXT, "group": forged}, token_from=path)
        assert refused.status_code == 400, forged
        assert 'id="group-error"' in refused.text
        assert "Choisissez celui de vos groupes de travail dont vient cette recommandation." in refused.text
        assert "Un jeune frappe à **quatre** portes." in refused.text
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(Recommendation)) == 0
    chosen = await post_form(client, path, {**TEXT, "group": str(tournai.id)}, token_from=path)
    assert chosen.status_code == 303
    async with db.session(write=False) as session:
        recommendation = await session.scalar(select(Recommendation).where(Recommendation.cycle_id == cycle.id))
    assert recommendation.group_id == tournai.id


async def test_the_group_page_a_member_comes_from_is_chosen_in_advance(client, db):
    cycle = await make_cycle(db, groups=2)
    first, second = cycle.groups
    author = await make_user(db)
    for group in (first, second):
        await add_member(db, author, cycle, group=group)
    await sign_in(client, author)
    group_page = await client.get(f"/groups/{second.id}")
    link = f"/cycles/{cycle.slug}/axes/p/new?group={second.id}"
    assert f'href="{link}"' in group_page.text
    page = await client.get(link)
    assert f'id="group-{second.id}" name="group" value="{second.id}" checked' in page.text
    assert f'value="{first.id}" checked' not in page.text
    outsider = await client.get(f"/cycles/{cycle.slug}/axes/p/new?group={(await make_cycle(db)).groups[0].id}")
    assert " checked" not in outsider.text.split('id="group"')[1].split("</fieldset>")[0]


async def test_a_member_of_one_group_is_not_asked(client, db):
    cycle = await make_cycle(db, groups=2)
    author = await make_user(db)
    await add_member(db, author, cycle, group=cycle.groups[1])
    await sign_in(client, author)
    path = f"/cycles/{cycle.slug}/axes/p/new"
    assert 'name="group"' not in (await client.get(path)).text
    saved = await post_form(client, path, {**TEXT, "group": str(cycle.groups[0].id)}, token_from=path)
    assert saved.status_code == 303
    async with db.session(write=False) as session:
        recommendation = await session.scalar(select(Recommendation).where(Recommendation.cycle_id == cycle.id))
    assert recommendation.group_id == cycle.groups[1].id


async def test_preview_renders_markdown_without_saving(client, db):
    cycle = await make_cycle(db)
    author = await member_in(db, cycle)
    await sign_in(client, author)
    path = f"/cycles/{cycle.slug}/axes/p/new"
    response = await post_form(client, path, {**TEXT, "intent": "preview"}, token_from=path)
    assert response.status_code == 200
    assert "<strong>quatre</strong>" in response.text
    partial = await post_form(
        client,
        "/recommendations/preview",
        {"title": "Vite", "finding": "*vite* <script>x</script>", "proposal": "**Oui**"},
    )
    assert "<em>vite</em>" in partial.text
    assert "<strong>Oui</strong>" in partial.text
    assert "<script>" not in partial.text
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(Recommendation)) == 0


async def test_every_save_is_a_revision_and_any_two_can_be_compared(client, db):
    cycle = await make_cycle(db)
    author = await member_in(db, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, status=Status.DRAFT)
    await sign_in(client, author)
    edit = f"/recommendations/{recommendation.id}/edit"
    data = edit_data(recommendation, 1, finding="Les jeunes frappent à cinq portes.", message="Plus précis")
    assert (await post_form(client, edit, data, token_from=edit)).status_code == 303
    data = edit_data(recommendation, 2, finding="Les jeunes frappent à cinq portes.", proposal="Un guichet.")
    assert (await post_form(client, edit, data, token_from=edit)).status_code == 303
    revisions = await revisions_of(db, recommendation.id)
    assert [revision.number for revision in revisions] == [1, 2, 3]
    assert revisions[1].message == "Plus précis"
    assert revisions[1].author_id == author.id
    history = await client.get(f"/recommendations/{recommendation.id}/history")
    assert "Plus précis" in history.text
    compare = await client.get(f"/recommendations/{recommendation.id}/compare?from_revision=1&to_revision=3")
    assert "<del>quatre</del>" in compare.text or "<del>" in compare.text
    assert "<ins>" in compare.text


async def test_restoring_an_old_revision_makes_a_new_one(client, db):
    cycle = await make_cycle(db)
    author = await member_in(db, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, status=Status.DRAFT)
    await sign_in(client, author)
    edit = f"/recommendations/{recommendation.id}/edit"
    await post_form(client, edit, edit_data(recommendation, 1, title="Titre changé"), token_from=edit)
    response = await post_form(client, f"/recommendations/{recommendation.id}/revisions/1/restore", {})
    assert response.status_code == 303
    revisions = await revisions_of(db, recommendation.id)
    assert len(revisions) == 3
    assert revisions[-1].content["title"] == recommendation.title


async def test_saving_the_same_text_makes_no_revision(client, db):
    cycle = await make_cycle(db)
    author = await member_in(db, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, status=Status.DRAFT)
    await sign_in(client, author)
    edit = f"/recommendations/{recommendation.id}/edit"
    await post_form(client, edit, edit_data(recommendation, 1), token_from=edit)
    assert len(await revisions_of(db, recommendation.id)) == 1


@pytest.mark.parametrize("base", ["", "0", "99", "abc", "-1"])
async def test_a_forged_or_stale_revision_number_keeps_the_text_and_stores_nothing(client, db, base):
    cycle = await make_cycle(db)
    author = await member_in(db, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, status=Status.DRAFT)
    await sign_in(client, author)
    edit = f"/recommendations/{recommendation.id}/edit"
    data = edit_data(recommendation, 1, finding="Mon texte précieux")
    data["base_revision"] = base
    response = await post_form(client, edit, data, token_from=edit)
    assert response.status_code == 400
    assert "Mon texte précieux" in response.text
    assert len(await revisions_of(db, recommendation.id)) == 1


async def test_someone_who_is_not_an_author_cannot_edit_and_gets_404(client, db):
    cycle = await make_cycle(db)
    author = await member_in(db, cycle)
    other = await member_in(db, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, status=Status.DRAFT)
    await sign_in(client, other)
    edit = f"/recommendations/{recommendation.id}/edit"
    assert (await client.get(edit)).status_code == 404
    response = await post_form(client, edit, edit_data(recommendation, 1, title="Pris en otage"))
    assert response.status_code == 404
    assert len(await revisions_of(db, recommendation.id)) == 1


async def test_a_member_of_another_cycle_cannot_write_here(client, db):
    cycle = await make_cycle(db)
    other_cycle = await make_cycle(db)
    outsider = await member_in(db, other_cycle)
    await sign_in(client, outsider)
    response = await post_form(client, f"/cycles/{cycle.slug}/axes/p/new", TEXT)
    assert response.status_code == 404


async def test_an_invited_coauthor_can_edit(client, db):
    cycle = await make_cycle(db)
    author = await member_in(db, cycle)
    coauthor = await member_in(db, cycle, display_name="Griet Vandenberghe")
    recommendation = await make_recommendation(db, cycle, author=author, status=Status.DRAFT)
    await sign_in(client, author)
    page = await client.get(f"/recommendations/{recommendation.id}")
    assert str(coauthor.id) in page.text
    response = await post_form(client, f"/recommendations/{recommendation.id}/coauthors", {"user_id": str(coauthor.id)})
    assert response.status_code == 303
    await post_form(client, "/logout", {})
    await sign_in(client, coauthor)
    edit = f"/recommendations/{recommendation.id}/edit"
    assert (await client.get(edit)).status_code == 200
    response = await post_form(client, edit, edit_data(recommendation, 1, title="Co-écrit"), token_from=edit)
    assert response.status_code == 303


async def test_only_participants_of_the_cycle_can_become_coauthors(client, db):
    cycle = await make_cycle(db)
    author = await member_in(db, cycle)
    stranger = await make_user(db)
    recommendation = await make_recommendation(db, cycle, author=author, status=Status.DRAFT)
    await sign_in(client, author)
    await post_form(client, f"/recommendations/{recommendation.id}/coauthors", {"user_id": str(stranger.id)})
    page = await client.get(f"/recommendations/{recommendation.id}")
    assert stranger.display_name not in page.text


async def test_the_text_is_frozen_from_voting_on(client, db):
    cycle = await make_cycle(db, phase=Phase.VOTING)
    author = await member_in(db, cycle)
    recommendation = await make_recommendation(db, cycle, author=author)
    await sign_in(client, author)
    edit = f"/recommendations/{recommendation.id}/edit"
    assert (await client.get(edit)).status_code == 404
    assert (await post_form(client, edit, edit_data(recommendation, 1, title="Trop tard"))).status_code == 404
    assert (await post_form(client, f"/cycles/{cycle.slug}/axes/p/new", TEXT)).status_code == 404


async def test_a_facilitator_corrects_a_frozen_text_and_the_audit_log_records_it(client, db):
    cycle = await make_cycle(db, phase=Phase.VOTING)
    author = await member_in(db, cycle)
    facilitator = await make_user(db)
    await add_member(db, facilitator, cycle, role=MembershipRole.FACILITATOR)
    recommendation = await make_recommendation(db, cycle, author=author)
    await sign_in(client, facilitator)
    edit = f"/recommendations/{recommendation.id}/edit"
    page = await client.get(edit)
    assert page.status_code == 200
    unexplained = await post_form(
        client, edit, edit_data(recommendation, 1, title="Coquille corrigée"), token_from=edit
    )
    assert unexplained.status_code == 400  # a correction says why
    assert 'id="message-error"' in unexplained.text
    assert 'value="Coquille corrigée"' in unexplained.text
    data = edit_data(recommendation, 1, title="Coquille corrigée", message="Une coquille dans le titre")
    response = await post_form(client, edit, data, token_from=edit)
    assert response.status_code == 303
    async with db.session(write=False) as session:
        actions = (await session.scalars(select(AuditEntry.action).where(AuditEntry.cycle_id == cycle.id))).all()
    assert "recommendation.correct" in actions


async def test_after_the_vote_a_facilitator_corrects_an_adopted_text_to_remove_personal_data_and_authors_are_told(
    client, db
):
    cycle = await make_cycle(db, phase=Phase.CONSOLIDATION)
    author = await member_in(db, cycle)
    facilitator = await make_user(db)
    await add_member(db, facilitator, cycle, role=MembershipRole.FACILITATOR)
    recommendation = await make_recommendation(
        db, cycle, author=author, status=Status.ADOPTED, finding="Appeler Mme Durand au 06 12 34 56 78."
    )
    await sign_in(client, facilitator)
    page = await client.get(f"/recommendations/{recommendation.id}")
    edit = f"/recommendations/{recommendation.id}/edit"
    assert f'href="{edit}"' in page.text  # from the personal-data box and the page's tools
    data = edit_data(recommendation, 1, finding="Appeler le service social.", message="Numéro de téléphone retiré")
    assert (await post_form(client, edit, data, token_from=edit)).status_code == 303
    async with db.session(write=False) as session:
        stored = await session.get(Recommendation, recommendation.id)
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "recommendation.correct"))
        told = (await session.scalars(select(Notification).where(Notification.user_id == author.id))).all()
    assert stored.finding == "Appeler le service social."
    assert stored.status == Status.ADOPTED
    assert entry.details["reason"] == "Numéro de téléphone retiré"
    assert [notice.kind for notice in told] == ["correction"]
    client.cookies.clear()
    await sign_in(client, author)
    inbox = await client.get("/inbox")
    assert "Numéro de téléphone retiré" in inbox.text
    assert (await client.get(edit)).status_code == 404  # the author may no longer change the voted text


async def test_authors_submit_and_withdraw(client, db):
    cycle = await make_cycle(db)
    author = await member_in(db, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, status=Status.DRAFT)
    await sign_in(client, author)
    status = f"/recommendations/{recommendation.id}/status"
    assert (await post_form(client, status, {"action": "submit"})).status_code == 303
    assert (await post_form(client, status, {"action": "withdraw"})).status_code == 303
    async with db.session(write=False) as session:
        assert (await session.get(Recommendation, recommendation.id)).status == Status.WITHDRAWN
    assert (await post_form(client, status, {"action": "explode"})).status_code == 404


async def test_the_history_and_compare_pages_are_not_for_outsiders(client, db):
    cycle = await make_cycle(db)
    author = await member_in(db, cycle)
    recommendation = await make_recommendation(db, cycle, author=author)
    outsider = await make_user(db)
    await sign_in(client, outsider)
    assert (await client.get(f"/recommendations/{recommendation.id}/history")).status_code == 404
    assert (await client.get(f"/recommendations/{recommendation.id}/compare?from_revision=1")).status_code == 404
    await sign_in(client, author)
    missing = await client.get(f"/recommendations/{recommendation.id}/compare?from_revision=7&to_revision=1")
    assert missing.status_code == 404
    assert re.search(r"<h1", missing.text)


async def test_revision_numbers_out_of_range_get_the_friendly_page_not_a_server_error(client, db):
    """99999999999999999999999 fits neither PostgreSQL's integer nor SQLite's: asked for, it once answered 500."""
    cycle = await make_cycle(db)
    author = await member_in(db, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, status=Status.DRAFT)
    await sign_in(client, author)
    huge = "99999999999999999999999"
    compare = f"/recommendations/{recommendation.id}/compare"
    for query in (f"from_revision=-1&to_revision={huge}", f"from_revision={huge}", "to_revision=-1", "from_revision=0"):
        response = await client.get(f"{compare}?{query}")
        assert response.status_code == 400, query
        assert headings(response.text) == ["Cette demande n’a pas pu être comprise"], query
    assert (await client.get(f"{compare}?from_revision=1&to_revision=1")).status_code == 200
    for number in (huge, "0", "-1"):
        restore = await post_form(client, f"/recommendations/{recommendation.id}/revisions/{number}/restore", {})
        assert restore.status_code == 400, number
    assert len(await revisions_of(db, recommendation.id)) == 1


async def test_personal_data_is_flagged_beside_the_field_and_can_be_confirmed(client, db):
    cycle = await make_cycle(db)
    author = await member_in(db, cycle)
    recommendation = await make_recommendation(db, cycle, author=author, status=Status.DRAFT)
    await sign_in(client, author)
    edit = f"/recommendations/{recommendation.id}/edit"
    data = edit_data(recommendation, 1, finding="Kevin, 19 ans, joignable au 06 12 34 56 78, dort dehors.")
    response = await post_form(client, edit, data, token_from=edit)
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "flash--info" in page.text
    assert 'id="privacy-title"' in page.text
    form = await client.get(edit)
    assert 'id="finding-privacy"' in form.text
    assert "06 12 34 56 78" in form.text
    fingerprints = re.findall(r'name="fingerprint" value="([0-9a-f]+)"', page.text)
    assert fingerprints
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    await client.post(
        f"/recommendations/{recommendation.id}/privacy",
        data={"fingerprint": fingerprints, "_csrf_token": token},
        follow_redirects=False,
    )
    page = await client.get(f"/recommendations/{recommendation.id}")
    assert 'id="privacy-title"' not in page.text
    assert 'id="finding-privacy"' not in (await client.get(edit)).text


async def test_an_authority_reviewer_is_not_offered_as_coauthor_and_cannot_be_added(client, db):
    cycle = await make_cycle(db)
    author = await member_in(db, cycle)
    reviewer = await make_user(db, display_name="Relecteur Région")
    await add_member(db, reviewer, cycle, role=MembershipRole.AUTHORITY, group=None)
    recommendation = await make_recommendation(db, cycle, author=author, status=Status.DRAFT)
    await sign_in(client, author)
    page = await client.get(f"/recommendations/{recommendation.id}")
    assert str(reviewer.id) not in page.text
    await post_form(client, f"/recommendations/{recommendation.id}/coauthors", {"user_id": str(reviewer.id)})
    told = await client.get(f"/recommendations/{recommendation.id}")
    assert "Choisissez un participant de ce cycle" in told.text
    async with db.session(write=False) as session:
        stored = await session.get(Recommendation, recommendation.id, options=[selectinload(Recommendation.coauthors)])
    assert stored.coauthors == []


@pytest.mark.parametrize(
    ("language", "withdraw", "remove", "leave"),
    [
        (Language.FRENCH, "Retirer la recommandation", "Retirer des coauteurs", "Ne plus être coauteur"),
        (Language.DUTCH, "De aanbeveling intrekken", "Verwijderen als medeauteur", "Geen medeauteur meer zijn"),
    ],
)
async def test_withdrawing_the_recommendation_and_removing_a_coauthor_say_what_they_do(
    client, db, language, withdraw, remove, leave
):
    cycle = await make_cycle(db)
    author = await member_in(db, cycle, language=language)
    coauthor = await member_in(db, cycle, display_name="Griet Vandenberghe", language=language)
    recommendation = await make_recommendation(db, cycle, author=author, status=Status.SUBMITTED)
    await sign_in(client, author)
    await post_form(client, f"/recommendations/{recommendation.id}/coauthors", {"user_id": str(coauthor.id)})

    buttons = re.findall(
        r"<button[^>]*>(.*?)</button>", (await client.get(f"/recommendations/{recommendation.id}")).text
    )
    assert withdraw in buttons
    assert f'{remove}<span class="visually-hidden"> (Griet Vandenberghe)</span>' in buttons
    assert "Retirer" not in buttons
    assert "Verwijderen" not in buttons

    await post_form(client, "/logout", {})
    await sign_in(client, coauthor)
    buttons = re.findall(
        r"<button[^>]*>(.*?)</button>", (await client.get(f"/recommendations/{recommendation.id}")).text
    )
    assert leave in buttons


@pytest.mark.parametrize(
    ("language", "heading", "button"),
    [
        (Language.FRENCH, "Aperçu du texte entier", "Prévisualiser tout le texte"),
        (Language.DUTCH, "Voorbeeld van de hele tekst", "Voorbeeld van de hele tekst tonen"),
    ],
)
async def test_one_preview_of_the_whole_text_on_demand_keeps_every_typed_value(client, db, language, heading, button):
    cycle = await make_cycle(db)
    author = await member_in(db, cycle, language=language)
    recommendation = await make_recommendation(db, cycle, author=author, status=Status.DRAFT)
    await sign_in(client, author)
    edit = f"/recommendations/{recommendation.id}/edit"
    form_page = (await client.get(edit)).text
    assert 'id="preview-' not in form_page
    assert form_page.count('name="intent" value="preview"') == 1
    assert f">{button}</button>" in form_page
    assert "preview-box--shown" not in form_page

    typed = edit_data(recommendation, 1, proposal="Ouvrir **trois** guichets.", message="Mon essai", tags="jeunes")
    shown = await post_form(client, edit, {**typed, "intent": "preview"}, token_from=edit)
    assert shown.status_code == 200
    assert shown.text.count('class="preview-box preview-box--shown"') == 1
    assert f'<h2 id="preview-title" class="preview-box__label">{heading}</h2>' in shown.text
    assert "Ouvrir <strong>trois</strong> guichets." in shown.text
    assert ">Ouvrir **trois** guichets.</textarea>" in shown.text
    assert 'value="Mon essai"' in shown.text
    assert 'value="jeunes"' in shown.text
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(Revision)) == 1
