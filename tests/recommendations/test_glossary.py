"""The shared glossary: read by anyone, kept by facilitators, and its terms linked where they appear."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from markupsafe import Markup
from sqlalchemy import select

from tests.factories import add_member, make_cycle, make_recommendation, make_user
from tests.helpers import post_form, sign_in
from workspace.accounts.models import MembershipRole
from workspace.core.models import AuditEntry
from workspace.cycles.models import Membership, Phase
from workspace.recommendations.glossary import all_terms, link_terms, seed_glossary
from workspace.recommendations.models import GlossaryTerm, Status

NEW_TERM = {
    "term_fr": "garantie locative",
    "term_nl": "huurwaarborg",
    "term_en": "rental deposit",
    "definition_fr": "Somme bloquée à la signature du bail.",
    "definition_nl": "Bedrag dat bij de ondertekening van het huurcontract wordt gestort.",
}


async def make_term(db, **fields) -> GlossaryTerm:
    term = GlossaryTerm(**{"term_fr": "CPAS", "term_nl": "OCMW", "term_en": "public social welfare centre", **fields})
    async with db.transaction() as session:
        session.add(term)
    return term


async def facilitator_in(db):
    cycle = await make_cycle(db)
    user = await make_user(db)
    await add_member(db, user, cycle, role=MembershipRole.FACILITATOR)
    return user


async def audit_actions(db) -> list[tuple[str, str | None, dict]]:
    async with db.session(write=False) as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.target_kind == "glossary_term").order_by(AuditEntry.created_at)
        )
        return [(entry.action, entry.target_id, entry.details) for entry in rows.all()]


# --- pages -------------------------------------------------------------------------------------------------------


async def test_anyone_reads_the_glossary_with_an_anchor_per_term(client, db):
    term = await make_term(db, definition_fr="Centre public d'action sociale.", definition_nl="Openbaar centrum.")
    page = await client.get("/glossary")
    assert page.status_code == 200
    assert f'id="term-{term.id}"' in page.text
    assert "OCMW" in page.text
    assert "Centre public d&#39;action sociale." in page.text or "Centre public d'action sociale." in page.text
    assert 'href="/glossary/new"' not in page.text
    assert "/edit" not in page.text


async def test_terms_sharing_a_name_get_distinct_headings(client, db):
    await make_term(db, term_fr="CPAS", term_nl="OCMW")
    await make_term(db, term_fr="CCAS", term_nl="OCMW")
    page = await client.get("/glossary", headers={"Accept-Language": "nl"})
    assert '<h2 lang="nl">OCMW (CCAS)</h2>' in page.text
    assert '<h2 lang="nl">OCMW (CPAS)</h2>' in page.text
    assert page.text.index("OCMW (CCAS)") < page.text.index("OCMW (CPAS)")


async def test_a_facilitator_adds_edits_and_deletes_a_term_and_each_change_is_audited(client, db):
    facilitator = await facilitator_in(db)
    await sign_in(client, facilitator)
    listing = await client.get("/glossary")
    assert 'href="/glossary/new"' in listing.text

    created = await post_form(client, "/glossary/new", NEW_TERM, token_from="/glossary/new")
    assert created.status_code == 303
    async with db.session(write=False) as session:
        term = await session.scalar(select(GlossaryTerm).where(GlossaryTerm.term_fr == "garantie locative"))
    assert term is not None
    assert term.term_nl == "huurwaarborg"
    assert created.headers["location"] == f"/glossary#term-{term.id}"
    assert f'id="term-{term.id}"' in (await client.get("/glossary")).text

    edit_path = f"/glossary/{term.id}/edit"
    edit_page = await client.get(edit_path)
    assert 'value="huurwaarborg"' in edit_page.text
    edited = await post_form(
        client, edit_path, {**NEW_TERM, "term_nl": "huurwaarborg / waarborg"}, token_from=edit_path
    )
    assert edited.status_code == 303
    async with db.session(write=False) as session:
        assert (await session.get(GlossaryTerm, term.id)).term_nl == "huurwaarborg / waarborg"

    deleted = await post_form(client, f"/glossary/{term.id}/delete", {}, token_from=edit_path)
    assert deleted.status_code == 303
    assert deleted.headers["location"] == "/glossary"
    async with db.session(write=False) as session:
        assert await session.get(GlossaryTerm, term.id) is None

    actions = await audit_actions(db)
    assert [action for action, _target, _details in actions] == [
        "glossary.create",
        "glossary.update",
        "glossary.delete",
    ]
    assert {target for _action, target, _details in actions} == {str(term.id)}
    assert actions[1][2]["changes"] == {"term_nl": {"before": "huurwaarborg", "after": "huurwaarborg / waarborg"}}
    assert actions[2][2]["definition_fr"] == NEW_TERM["definition_fr"], "a deleted term can be restored by hand"


async def test_an_admin_keeps_the_glossary_too(client, db):
    admin = await make_user(db, is_admin=True)
    await sign_in(client, admin)
    assert (await client.get("/glossary/new")).status_code == 200


async def test_a_member_gets_404_on_adding_editing_and_deleting_terms(client, db):
    term = await make_term(db)
    cycle = await make_cycle(db)
    member = await make_user(db)
    await add_member(db, member, cycle, role=MembershipRole.MEMBER)
    await add_member(db, member, cycle, role=MembershipRole.AUTHORITY, group=None)
    await sign_in(client, member)
    assert (await client.get("/glossary/new")).status_code == 404
    assert (await client.get(f"/glossary/{term.id}/edit")).status_code == 404
    assert (await post_form(client, "/glossary/new", NEW_TERM, token_from="/glossary")).status_code == 404
    edit = await post_form(client, f"/glossary/{term.id}/edit", NEW_TERM, token_from="/glossary")
    assert edit.status_code == 404
    assert (await post_form(client, f"/glossary/{term.id}/delete", {}, token_from="/glossary")).status_code == 404
    async with db.session(write=False) as session:
        kept = await session.get(GlossaryTerm, term.id)
    assert kept is not None
    assert kept.term_fr == "CPAS"
    assert await audit_actions(db) == []


async def test_a_suspended_facilitator_no_longer_keeps_the_glossary(client, db):
    facilitator = await facilitator_in(db)
    async with db.transaction() as session:
        membership = await session.scalar(select(Membership).where(Membership.user_id == facilitator.id))
        membership.suspended_at = datetime.now(UTC)
    await sign_in(client, facilitator)
    assert (await client.get("/glossary/new")).status_code == 404


async def test_anonymous_visitors_are_sent_to_sign_in_to_change_the_glossary(client, db):
    term = await make_term(db)
    for path in ("/glossary/new", f"/glossary/{term.id}/edit"):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code in (302, 303, 401), path
        assert response.status_code != 200


async def test_an_unknown_term_is_a_404_for_a_facilitator(client, db):
    await sign_in(client, await facilitator_in(db))
    assert (await client.get(f"/glossary/{uuid4()}/edit")).status_code == 404
    missing = await post_form(client, f"/glossary/{uuid4()}/delete", {}, token_from="/glossary")
    assert missing.status_code == 404


async def test_form_errors_keep_the_input_and_sit_by_their_field(client, db):
    await make_term(db, term_fr="CPAS")
    await sign_in(client, await facilitator_in(db))
    missing = await post_form(
        client, "/glossary/new", {**NEW_TERM, "term_nl": "", "term_fr": "bail glissant"}, token_from="/glossary/new"
    )
    assert missing.status_code == 400
    assert 'value="bail glissant"' in missing.text
    assert 'id="term_nl-error"' in missing.text
    assert "Bedrag dat bij de ondertekening" in missing.text
    duplicate = await post_form(client, "/glossary/new", {**NEW_TERM, "term_fr": " cpas "}, token_from="/glossary/new")
    assert duplicate.status_code == 400
    assert 'id="term_fr-error"' in duplicate.text
    too_long = await post_form(client, "/glossary/new", {**NEW_TERM, "term_en": "x" * 161}, token_from="/glossary/new")
    assert too_long.status_code == 400
    assert 'id="term_en-error"' in too_long.text
    async with db.session(write=False) as session:
        assert len(await all_terms(session)) == 1
    assert await audit_actions(db) == []


async def test_editing_a_term_may_keep_its_own_french_name(client, db):
    term = await make_term(db, term_fr="CPAS")
    await sign_in(client, await facilitator_in(db))
    path = f"/glossary/{term.id}/edit"
    response = await post_form(client, path, {**NEW_TERM, "term_fr": "CPAS", "term_nl": "OCMW"}, token_from=path)
    assert response.status_code == 303


async def test_the_seed_adds_the_fields_usual_terms_once(db):
    async with db.transaction() as session:
        added = await seed_glossary(session)
    async with db.transaction() as session:
        again = await seed_glossary(session)
        terms = await all_terms(session)
    assert added == len(terms) >= 12
    assert again == 0
    by_french = {term.term_fr: term for term in terms}
    assert by_french["CPAS"].term_nl == "OCMW"
    assert by_french["CCAS"].term_nl == "OCMW"
    assert "France" in by_french["CCAS"].term_en
    assert by_french["revenu d'intégration"].term_nl == "leefloon"
    assert "français" in by_french["bail glissant"].definition_fr.lower()
    assert all(term.term_en and term.definition_fr and term.definition_nl for term in terms)


async def test_the_recommendation_page_links_the_glossarys_terms(client, db):
    term = await make_term(db)
    cycle = await make_cycle(db, phase=Phase.PUBLISHED)
    recommendation = await make_recommendation(
        db, cycle, status=Status.ADOPTED, finding="Le CPAS refuse. Le CPAS insiste.", proposal="Voir le CPAS."
    )
    page = await client.get(f"/recommendations/{recommendation.id}")
    assert page.text.count(f'href="/glossary#term-{term.id}"') == 2, "once per field"


# --- link_terms ----------------------------------------------------------------------------------------------------


def term(**fields) -> GlossaryTerm:
    return GlossaryTerm(id=uuid4(), **{"term_fr": "CPAS", "term_nl": "OCMW", "term_en": "", **fields})


def sanitised(html: str) -> Markup:
    """HTML as render_markdown hands it over (these test strings stand for nh3's output)."""
    return Markup(html)  # noqa: S704 - literal test input


def links(html: str) -> list[str]:
    """The words marked as glossary terms (each a button opening its note)."""
    return re.findall(r'<button type="button" class="glossary-term"[^>]*>(.*?)</button>', str(html))


def notes(html: str) -> list[str]:
    """The notes the terms open, in order: their names in other languages, definition and link."""
    return re.findall(r'<span class="glossary-note" id="[^"]+" popover>(.*?</a>)</span>', str(html))


def names(html: str) -> list[str]:
    return re.findall(r'<span class="glossary-note__names">(.*?)</span>', str(html))


def test_only_the_first_occurrence_of_each_term_is_linked_whole_words_any_case():
    cpas = term()
    housing = term(term_fr="logement social", term_nl="sociale woning")
    html = sanitised("<p>Le cpas et le CPAS. Les CPASSES, leCPAS. Un Logement  Social, un logement social.</p>")
    linked = link_terms(html, [cpas, housing], "fr")
    assert links(linked) == ["cpas", "Logement  Social"]
    assert f'href="/glossary#term-{cpas.id}"' in linked
    assert f'href="/glossary#term-{housing.id}"' in linked
    assert "Les CPASSES, leCPAS." in linked


def test_a_term_is_found_in_any_of_its_languages_and_its_note_gives_the_others():
    cpas = term(term_en="public social welfare centre")
    linked = link_terms(sanitised("<p>Het OCMW betaalt.</p>"), [cpas], "nl")
    assert links(linked) == ["OCMW"]
    assert names(linked) == ["CPAS (FR) · public social welfare centre (EN)"]
    french = link_terms(sanitised("<p>Le CPAS paie.</p>"), [cpas], "fr")
    assert names(french) == ["OCMW (NL) · public social welfare centre (EN)"]


def test_the_note_gives_the_meaning_in_the_readers_language_and_opens_without_script():
    cpas = term(
        definition_fr="Centre public d'action **sociale** : l'institution qui accorde l'aide sociale. " * 10,
        definition_nl="Openbaar centrum voor *maatschappelijk welzijn*.",
    )
    dutch = str(link_terms(sanitised("<p>Het OCMW betaalt.</p>"), [cpas], "nl"))
    [button_target] = re.findall(r'popovertarget="([^"]+)"', dutch)
    assert f'<span class="glossary-note" id="{button_target}" popover>' in dutch
    assert '<span class="glossary-note__text" lang="nl">Openbaar centrum voor maatschappelijk welzijn.</span>' in dutch
    assert f'<a href="/glossary#term-{cpas.id}">' in dutch
    french = str(link_terms(sanitised("<p>Le CPAS paie.</p>"), [cpas], "fr"))
    [text] = re.findall(r'<span class="glossary-note__text" lang="fr">(.*?)</span>', french)
    assert text.startswith("Centre public d&#39;action sociale : l&#39;institution")
    assert text.endswith("…")
    assert len(html.unescape(text)) <= 281
    english = str(link_terms(sanitised("<p>The CPAS pays.</p>"), [cpas], "en"))
    assert 'class="glossary-note__text" lang="fr"' in english


def test_each_note_on_a_page_has_its_own_id():
    cpas = term()
    first = str(link_terms(sanitised("<p>Le CPAS.</p>"), [cpas], "fr"))
    second = str(link_terms(sanitised("<p>Le CPAS.</p>"), [cpas], "fr"))
    assert re.findall(r'popovertarget="([^"]+)"', first) != re.findall(r'popovertarget="([^"]+)"', second)


def test_nothing_is_linked_inside_tags_links_or_code():
    cpas = term()
    before = (
        '<p><a href="https://example.org/cpas" title="le CPAS > tout">le CPAS de Mons</a> '
        "<code>CPAS</code></p><pre><code>CPAS</code></pre>"
    )
    linked = str(link_terms(sanitised(before + "<p>Enfin le CPAS.</p>"), [cpas], "fr"))
    assert links(linked) == ["CPAS"]
    assert linked.startswith(before)
    assert names(linked) == ["OCMW (NL)"]
    assert re.search(
        r'<p>Enfin le <button type="button" class="glossary-term" [^>]*>CPAS</button><span [^>]*>.*</a></span>\.</p>$',
        linked,
    )


def test_terms_with_apostrophes_and_accents_are_matched_and_everything_is_escaped():
    income = term(term_fr="revenu d'intégration", term_nl="leefloon", term_en='"minimum" <income>')
    html = sanitised("<p>Le revenu d’intégration &amp; le <em>RIS</em> &lt;script&gt;</p>")
    linked = str(link_terms(html, [income], "nl"))
    assert links(linked) == ["revenu d’intégration"]
    assert names(linked) == ["leefloon (NL) · &#34;minimum&#34; &lt;income&gt; (EN)"]
    assert "&amp; le <em>RIS</em> &lt;script&gt;" in linked
    assert "<script>" not in linked


def test_a_hostile_term_cannot_inject_markup():
    evil = term(term_fr='x"><script>alert(1)</script>', term_nl="kwaad")
    linked = str(link_terms(sanitised("<p>Iets kwaad.</p>"), [evil], "nl"))
    assert "<script>" not in linked
    assert names(linked) == ["x&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt; (FR)"]


def test_alternatives_are_each_linked_and_a_shared_form_goes_to_the_first_term():
    cpas = term()
    ccas = term(term_fr="CCAS", term_nl="OCMW")
    unfit = term(term_fr="insalubrité", term_nl="ongeschiktheid / onbewoonbaarheid")
    linked = link_terms(sanitised("<p>Het OCMW, het CCAS en een onbewoonbaarheid.</p>"), [cpas, ccas, unfit], "nl")
    assert links(linked) == ["OCMW", "CCAS", "onbewoonbaarheid"]
    assert f'href="/glossary#term-{cpas.id}"' in linked
    assert names(linked)[2] == "insalubrité (FR)"


@pytest.mark.parametrize("html", ["", "<p></p>", "<p>Rien à voir.</p>"])
def test_text_without_terms_comes_back_unchanged(html):
    assert link_terms(sanitised(html), [term()], "fr") == sanitised(html)
    assert link_terms(sanitised(html), [], "fr") == sanitised(html)


def test_plain_text_is_escaped_never_trusted():
    assert str(link_terms("<b>CPAS</b>", [], "fr")) == "&lt;b&gt;CPAS&lt;/b&gt;"  # type: ignore[arg-type]
