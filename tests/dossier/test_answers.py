"""Authority answers: reviewers see what is addressed to their institution, answer it (one by one or
from a template), update the implementation later; the follow-up board shows rates, publicly once
published; nobody answers for another institution or with a deadline in the past."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import func, select, update

from tests.dossier.support import consolidation
from tests.factories import add_member, make_user
from tests.helpers import csrf_token, post_form, sign_in
from workspace.accounts.models import Language, MembershipRole
from workspace.cycles.models import Membership
from workspace.dossier.models import AuthorityAnswer, Implementation, Position
from workspace.recommendations.models import Recommendation

FUTURE = (date.today() + timedelta(days=90)).isoformat()


async def reviewer(db, cycle, institution):
    user = await make_user(db, language=Language.ENGLISH, display_name=f"Reviewer of {institution}")
    membership = await add_member(db, user, cycle, role=MembershipRole.AUTHORITY, group=None)
    async with db.transaction() as session:
        await session.execute(update(Membership).where(Membership.id == membership.id).values(institution=institution))
    return user


async def published_with_reviewers(client, db):
    setup = await consolidation(db)
    mons = await reviewer(db, setup.cycle, "CPAS de Mons")
    nord = await reviewer(db, setup.cycle, "Département du Nord")
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    assert (
        await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    ).status_code == 303
    client.cookies.clear()
    return setup, mons, nord


async def answers_in(db):
    async with db.session(write=False) as session:
        return list((await session.scalars(select(AuthorityAnswer).order_by(AuthorityAnswer.institution))).all())


async def test_reviewer_sees_only_what_is_addressed_to_the_institution_and_answers_it(client, db):
    setup, mons, _nord = await published_with_reviewers(client, db)
    slug = setup.cycle.slug
    first = setup.adopted[0]
    await sign_in(client, mons)
    page = await client.get(f"/cycles/{slug}/answers")
    assert page.status_code == 200
    assert "Un guichet unique pour les jeunes" in page.text
    assert "Former ensemble" not in page.text
    assert "Une conférence" not in page.text
    data = {
        "position": "agrees",
        "commitment": "Un guichet ouvrira à Mons.",
        "responsible_service": "Service jeunesse",
        "deadline": FUTURE,
        "implementation": "not_started",
    }
    response = await post_form(client, f"/cycles/{slug}/answers/{first.id}", data, token_from=f"/cycles/{slug}")
    assert response.status_code == 303
    [answer] = await answers_in(db)
    assert (answer.institution, answer.position, answer.reviewer_id) == ("CPAS de Mons", Position.AGREES, mons.id)
    update_data = {**data, "implementation": "in_progress"}
    response = await post_form(client, f"/cycles/{slug}/answers/{first.id}", update_data, token_from=f"/cycles/{slug}")
    assert response.status_code == 303
    [answer] = await answers_in(db)
    assert answer.implementation == Implementation.IN_PROGRESS


async def test_deadline_in_the_past_is_refused_with_the_answer_kept(client, db):
    setup, mons, _nord = await published_with_reviewers(client, db)
    slug = setup.cycle.slug
    await sign_in(client, mons)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    data = {
        "position": "partly",
        "commitment": "Nous étudierons le guichet.",
        "deadline": yesterday,
        "implementation": "not_started",
    }
    response = await post_form(
        client, f"/cycles/{slug}/answers/{setup.adopted[0].id}", data, token_from=f"/cycles/{slug}"
    )
    assert response.status_code == 400
    assert "The deadline cannot be in the past." in response.text
    assert "Nous étudierons le guichet." in response.text
    bad = await post_form(
        client,
        f"/cycles/{slug}/answers/{setup.adopted[0].id}",
        {**data, "deadline": "demain", "position": "maybe"},
        token_from=f"/cycles/{slug}",
    )
    assert bad.status_code == 400
    assert "Choose one of the options." in bad.text
    assert await answers_in(db) == []


async def test_nobody_answers_for_another_institution_or_what_is_not_addressed_to_them(client, db):
    setup, mons, _nord = await published_with_reviewers(client, db)
    slug = setup.cycle.slug
    data = {"position": "agrees", "implementation": "not_started"}
    await sign_in(client, mons)
    # Not addressed to Mons: the governance recommendation names only the Département du Nord.
    third = setup.adopted[2]
    response = await post_form(client, f"/cycles/{slug}/answers/{third.id}", data, token_from=f"/cycles/{slug}")
    assert response.status_code == 404
    # Claiming another institution falls back to one's own, which is not addressed either.
    response = await post_form(
        client,
        f"/cycles/{slug}/answers/{third.id}",
        {**data, "institution": "Département du Nord"},
        token_from=f"/cycles/{slug}",
    )
    assert response.status_code == 404
    for person in (setup.member, setup.facilitator):
        client.cookies.clear()
        await sign_in(client, person)
        assert (await client.get(f"/cycles/{slug}/answers")).status_code == 404
        response = await post_form(
            client,
            f"/cycles/{slug}/answers/{setup.adopted[0].id}",
            {**data, "institution": "CPAS de Mons"},
            token_from=f"/cycles/{slug}",
        )
        assert response.status_code == 404
    assert await answers_in(db) == []


async def test_answers_wait_for_the_publication(client, db):
    setup = await consolidation(db)
    mons = await reviewer(db, setup.cycle, "CPAS de Mons")
    await sign_in(client, mons)
    assert (await client.get(f"/cycles/{setup.cycle.slug}/answers")).status_code == 404
    assert (await client.get(f"/cycles/{setup.cycle.slug}/follow-up")).status_code == 404


async def test_several_recommendations_are_answered_at_once_from_a_template(client, db):
    setup, _mons, nord = await published_with_reviewers(client, db)
    slug = setup.cycle.slug
    await sign_in(client, nord)
    page = await client.get(f"/cycles/{slug}/answers")
    assert "Un guichet unique" in page.text
    assert "Une conférence" in page.text
    first, _second, third = setup.adopted
    token_page = f"/cycles/{slug}/answers"
    empty = await post_form(
        client,
        f"/cycles/{slug}/answers",
        {"position": "will_study", "implementation": "not_started"},
        token_from=token_page,
    )
    assert empty.status_code == 400
    assert "Choose at least one recommendation." in empty.text
    token = await csrf_token(client, token_page)
    response = await client.post(
        f"/cycles/{slug}/answers",
        data={
            "recommendation": [str(first.id), str(third.id)],
            "position": "will_study",
            "commitment": "À l'étude",
            "implementation": "not_started",
            "_csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    stored = await answers_in(db)
    assert {(a.recommendation_id, a.position) for a in stored} == {
        (first.id, Position.WILL_STUDY),
        (third.id, Position.WILL_STUDY),
    }
    outsider = await client.post(
        f"/cycles/{slug}/answers",
        data={
            "recommendation": [str(setup.adopted[1].id)],
            "position": "agrees",
            "implementation": "done",
            "_csrf_token": token,
        },
        follow_redirects=False,
    )
    assert outsider.status_code == 404


async def test_follow_up_board_is_public_with_rates_per_institution_and_axis_and_a_csv(client, db):
    setup, mons, _nord = await published_with_reviewers(client, db)
    slug = setup.cycle.slug
    await sign_in(client, mons)
    data = {"position": "disagrees", "commitment": "=cmd|' /C calc'!A0", "implementation": "abandoned"}
    await post_form(client, f"/cycles/{slug}/answers/{setup.adopted[0].id}", data, token_from=f"/cycles/{slug}")
    client.cookies.clear()
    english = {"Accept-Language": "en"}
    board = await client.get(f"/cycles/{slug}/follow-up", headers=english)
    assert board.status_code == 200
    assert "Disagrees" in board.text
    assert "CPAS de Mons</th><td>100 % (1 / 1)" in board.text
    assert "Département du Nord</th><td>0 % (0 / 2)" in board.text
    assert "Waiting for an answer from: Département du Nord" in board.text
    exported = await client.get(f"/cycles/{slug}/follow-up.csv", headers=english)
    assert exported.headers["content-disposition"].startswith(f'attachment; filename="{slug}_follow-up_')
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Number"
    answered = next(row for row in rows if row[3] == "CPAS de Mons")
    assert answered[5].startswith("'=cmd")
    async with db.session(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(AuthorityAnswer)) == 1


async def test_the_authors_hear_of_an_answer_in_their_inbox(client, db):
    from workspace.discussion.models import Notification

    setup, mons, _nord = await published_with_reviewers(client, db)
    slug = setup.cycle.slug
    first = setup.adopted[0]
    await sign_in(client, mons)
    data = {
        "position": "will_study",
        "commitment": "Nous étudions.",
        "responsible_service": "Jeunesse",
        "deadline": FUTURE,
        "implementation": "not_started",
    }
    response = await post_form(client, f"/cycles/{slug}/answers/{first.id}", data, token_from=f"/cycles/{slug}")
    assert response.status_code == 303
    async with db.session(write=False) as session:
        notified = (await session.scalars(select(Notification).where(Notification.kind == "answer"))).all()
    assert first.author_id is not None
    assert [(n.user_id, n.params["institution"]) for n in notified] == [(first.author_id, "CPAS de Mons")]


async def test_a_deadline_is_typed_and_shown_day_first_in_the_readers_convention(client, db):
    setup, mons, _nord = await published_with_reviewers(client, db)
    slug = setup.cycle.slug
    first = setup.adopted[0]
    await sign_in(client, mons)
    path = f"/cycles/{slug}/answers/{first.id}"
    coming = date.today() + timedelta(days=120)
    typed = coming.strftime("%d/%m/%Y")
    data = {"position": "agrees", "commitment": "", "deadline": typed, "implementation": "not_started"}
    assert (await post_form(client, path, data, token_from=f"/cycles/{slug}")).status_code == 303
    [answer] = await answers_in(db)
    assert answer.deadline == coming
    await post_form(client, "/language", {"language": "fr"})
    french = await client.get(path)
    assert f'value="{typed}"' in french.text
    assert "par exemple 30/06/2027" in french.text
    assert 'type="date"' not in french.text  # the browser's picker would show the browser's convention
    await post_form(client, "/language", {"language": "nl"})
    dutch = await client.get(path)
    assert f'value="{coming.strftime("%d-%m-%Y")}"' in dutch.text
    wrong = await post_form(client, path, {**data, "deadline": "31/02/2027"}, token_from=f"/cycles/{slug}")
    assert wrong.status_code == 400
    assert "30-06-2027" in wrong.text
    assert 'value="31/02/2027"' in wrong.text  # what was typed comes back to be corrected


async def test_the_follow_up_board_follows_the_cycles_axis_order_and_its_csv_names_the_axes(client, db):
    setup = await consolidation(db)
    first, second, third = setup.adopted  # two in Practices, the third in Governance
    async with db.transaction() as session:
        for recommendation, reference in ((first, "P1"), (second, "P2"), (third, "G1")):
            await session.execute(
                update(Recommendation).where(Recommendation.id == recommendation.id).values(reference=reference)
            )
    await reviewer(db, setup.cycle, "Département du Nord")
    await sign_in(client, setup.facilitator)
    slug = setup.cycle.slug
    await post_form(client, f"/cycles/{slug}/dossier/publish", {}, token_from=f"/cycles/{slug}")
    client.cookies.clear()
    board = await client.get(f"/cycles/{slug}/follow-up", headers={"Accept-Language": "en"})
    assert board.text.index(first.title) < board.text.index(third.title)  # Practices before Governance
    exported = await client.get(f"/cycles/{slug}/follow-up.csv", headers={"Accept-Language": "nl"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))[1:]
    assert [(row[0], row[2]) for row in rows][:1] == [("P1", "Praktijken")]
    assert ("G1", "Bestuur") in {(row[0], row[2]) for row in rows}
