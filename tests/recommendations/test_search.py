"""Full-text search over recommendations: what it finds, in which order, and never more than the reader may see."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from sqlalchemy import event, text

from tests.factories import add_member, make_comment, make_cycle, make_recommendation, make_user
from tests.helpers import headings, sign_in
from workspace.accounts.models import Language, Territory
from workspace.cycles.models import Phase
from workspace.recommendations.models import RecommendationTag, Status
from workspace.recommendations.search import Filters, fts5_query, search_statement, snippet, tsquery_text, words

_RESULT = re.compile(r'<h3 lang="[a-z]{2}"><a href="/recommendations/([0-9a-f-]{36})">')


def found(html: str) -> list[str]:
    """The ids of the recommendations listed as results, in order."""
    return _RESULT.findall(html)


async def search(client, **params: str) -> list[str]:
    response = await client.get("/search?" + urlencode(params))
    assert response.status_code == 200, response.text[:500]
    return found(response.text)


async def member_of(db, cycle, **fields):
    user = await make_user(db, **fields)
    await add_member(db, user, cycle)
    return user


async def test_a_member_finds_a_recommendation_by_a_word_of_its_finding(client, db):
    cycle = await make_cycle(db)
    member = await member_of(db, cycle)
    wanted = await make_recommendation(
        db, cycle, author=member, finding="Les propriétaires exigent une caution que les jeunes n'ont pas."
    )
    await make_recommendation(db, cycle, author=member, finding="Les écoles ignorent le terrain.")
    await sign_in(client, member)
    assert await search(client, q="propriétaires") == [str(wanted.id)]
    assert await search(client, q="PROPRIÉTAIRES caution") == [str(wanted.id)]
    assert await search(client, q="propriét") == [str(wanted.id)], "the beginning of a word is enough"
    assert await search(client, q="propriétaires terrain") == [], "every word must appear"


async def test_the_search_page_has_a_labelled_form_and_shows_where_the_words_were_found(client, db):
    cycle = await make_cycle(db)
    member = await member_of(db, cycle)
    await make_recommendation(db, cycle, author=member, finding="Le **bail** est signé <b>sans</b> visite.")
    await sign_in(client, member)
    page = await client.get("/search?q=bail")
    assert len(headings(page.text)) == 1
    assert 'role="search"' in page.text
    for field in ("search-q", "search-cycle", "search-axis", "search-status", "search-tag", "search-side"):
        assert f'<label for="{field}">' in page.text, field
        assert f'id="{field}"' in page.text, field
    assert "<mark>bail</mark>" in page.text
    assert "<b>sans</b>" not in page.text
    assert "&lt;b&gt;sans" in page.text


@pytest.mark.sqlite_only
async def test_on_sqlite_accents_do_not_matter(client, db):
    cycle = await make_cycle(db)
    member = await member_of(db, cycle)
    wanted = await make_recommendation(
        db, cycle, author=member, finding="Un logement déclaré insalubre et sa rénovation."
    )
    await sign_in(client, member)
    assert await search(client, q="declare renovation") == [str(wanted.id)]
    assert await search(client, q="Rénovâtion") == [str(wanted.id)]


async def test_a_recommendation_matching_in_its_title_comes_before_one_matching_once_in_its_text(client, db):
    cycle = await make_cycle(db)
    member = await member_of(db, cycle)
    passing = await make_recommendation(
        db, cycle, author=member, title="Former les élus", finding="Parfois un guichet existe déjà."
    )
    central = await make_recommendation(
        db,
        cycle,
        author=member,
        title="Un guichet unique pour les jeunes",
        finding="Le guichet accueille sans rendez-vous ; un guichet par ville.",
    )
    await sign_in(client, member)
    assert await search(client, q="guichet") == [str(central.id), str(passing.id)]


async def test_without_words_the_newest_recommendations_come_first(client, db):
    cycle = await make_cycle(db)
    member = await member_of(db, cycle)
    older = await make_recommendation(db, cycle, author=member)
    newer = await make_recommendation(db, cycle, author=member)
    await sign_in(client, member)
    assert await search(client) == [str(newer.id), str(older.id)]


async def test_the_filters_narrow_by_cycle_axis_status_tag_and_the_authors_side(client, db):
    cycle = await make_cycle(db)
    other_cycle = await make_cycle(db)
    french = await member_of(db, cycle, territory=Territory.NORD)
    flemish = await member_of(db, cycle, territory=Territory.WEST_VLAANDEREN)
    walloon = await member_of(db, cycle, territory=Territory.HAINAUT)
    await add_member(db, french, other_cycle)
    training = await make_recommendation(db, cycle, author=french, axis_code="F", finding="Former au logement.")
    governance = await make_recommendation(
        db,
        cycle,
        author=flemish,
        axis_code="G",
        status=Status.DRAFT,
        finding="Le logement et les élus.",
        tags=[RecommendationTag(tag="Jeunes"), RecommendationTag(tag="Éducation")],
    )
    practice = await make_recommendation(
        db,
        cycle,
        author=walloon,
        axis_code="P",
        finding="Logement accompagné.",
        tags=[RecommendationTag(tag="accès aux droits")],
    )
    elsewhere = await make_recommendation(db, other_cycle, author=french, finding="Le logement ailleurs.")
    await sign_in(client, french)
    everything = await search(client, q="logement")
    assert set(everything) == {str(r.id) for r in (training, governance, practice, elsewhere)}
    assert set(await search(client, q="logement", cycle=cycle.slug)) == {
        str(training.id),
        str(governance.id),
        str(practice.id),
    }
    assert await search(client, q="logement", cycle=cycle.slug, axis="g") == [str(governance.id)]
    assert await search(client, q="logement", axis="F") == [str(training.id)]
    assert await search(client, q="logement", status="draft") == [str(governance.id)]
    assert await search(client, q="logement", tag="jeunes") == [str(governance.id)]
    assert await search(client, tag="Éducation") == [str(governance.id)]
    assert await search(client, tag="accès aux droits") == [str(practice.id)]
    assert await search(client, tag="Accès aux droits") == [str(practice.id)]
    assert await search(client, q="logement", side="vl") == [str(governance.id)]
    assert await search(client, q="logement", side="wal") == [str(practice.id)]
    assert set(await search(client, q="logement", side="fr")) == {str(training.id), str(elsewhere.id)}
    assert await search(client, q="logement", cycle="no-such-cycle") == []
    page = await client.get("/search?" + urlencode({"q": "logement", "tag": "Jeunes", "side": "vl"}))
    assert '<option value="Jeunes" selected>' in page.text
    assert '<option value="vl" selected>' in page.text
    # Values that are not among the choices are ignored rather than failing.
    assert set(await search(client, q="logement", status="bogus", side="mars")) == set(everything)


async def test_a_member_never_finds_drafts_of_another_cycle(client, db):
    mine = await make_cycle(db)
    theirs = await make_cycle(db)
    member = await member_of(db, mine)
    own = await make_recommendation(db, mine, author=member, status=Status.DRAFT, finding="Le loyer est trop cher.")
    for status in (Status.DRAFT, Status.SUBMITTED, Status.ADOPTED):
        await make_recommendation(db, theirs, status=status, finding="Le loyer est trop cher ailleurs.")
    await sign_in(client, member)
    assert await search(client, q="loyer") == [str(own.id)]
    assert await search(client, q="loyer", cycle=theirs.slug) == []
    assert await search(client, q="loyer", status="adopted") == []
    page = await client.get("/search")
    assert theirs.slug not in page.text


async def test_anonymous_visitors_find_only_decided_recommendations_of_published_cycles(client, db):
    published = await make_cycle(db, phase=Phase.PUBLISHED)
    following = await make_cycle(db, phase=Phase.FOLLOW_UP)
    drafting = await make_cycle(db, phase=Phase.DRAFTING)
    adopted = await make_recommendation(db, published, status=Status.ADOPTED, finding="Une colocation solidaire.")
    rejected = await make_recommendation(db, following, status=Status.NOT_ADOPTED, finding="Une colocation imposée.")
    for status in (Status.DRAFT, Status.SUBMITTED, Status.MERGED, Status.WITHDRAWN):
        await make_recommendation(db, published, status=status, finding="Une colocation en projet.")
    await make_recommendation(db, drafting, status=Status.ADOPTED, finding="Une colocation pas encore publiée.")
    assert set(await search(client, q="colocation")) == {str(adopted.id), str(rejected.id)}
    assert set(await search(client)) == {str(adopted.id), str(rejected.id)}
    page = await client.get("/search")
    assert drafting.slug not in page.text
    assert 'value="draft"' not in page.text


async def test_an_admin_finds_recommendations_of_every_cycle(client, db):
    admin = await make_user(db, is_admin=True)
    cycle = await make_cycle(db)
    draft = await make_recommendation(db, cycle, status=Status.DRAFT, finding="Une maraude commune.")
    await sign_in(client, admin)
    assert await search(client, q="maraude") == [str(draft.id)]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "NEAR(",
        "NEAR(a b)",
        "*",
        "a*",
        "a OR",
        "OR",
        "AND NOT",
        "'; DROP TABLE recommendation; --",
        "title:loyer",
        "^loyer",
        "(loyer",
        "loyer)",
        "-loyer",
        "!&|:*",
        "\\",
        "%_",
        "a" * 600,
        "l'accès « logement »",
        "🏠 logement",
        "\x00",
    ],
)
async def test_hostile_or_odd_queries_answer_normally(client, db, query):
    cycle = await make_cycle(db, phase=Phase.PUBLISHED)
    await make_recommendation(db, cycle, status=Status.ADOPTED, finding="Le loyer et l'accès au logement.")
    response = await client.get("/search", params={"q": query})
    assert response.status_code == 200
    assert 'id="search-results"' in response.text


async def test_a_query_without_any_word_finds_nothing_and_says_so_kindly(client, db):
    cycle = await make_cycle(db, phase=Phase.PUBLISHED)
    await make_recommendation(db, cycle, status=Status.ADOPTED)
    response = await client.get("/search", params={"q": '" * NEAR('})
    assert found(response.text) == []
    assert 'class="empty-results"' in response.text
    assert 'href="/search"' in response.text
    nothing = await client.get("/search", params={"q": "xylophone"})
    assert found(nothing.text) == []
    assert 'class="empty-results"' in nothing.text


async def test_results_come_20_per_page_and_the_pages_keep_the_filters(client, db):
    cycle = await make_cycle(db)
    member = await member_of(db, cycle)
    for index in range(25):
        await make_recommendation(db, cycle, author=member, axis_code="G", finding=f"Une permanence numéro {index}.")
    await make_recommendation(db, cycle, author=member, axis_code="F", finding="Une permanence de formation.")
    await sign_in(client, member)
    first = await client.get("/search", params={"q": "permanence", "axis": "g"})
    assert len(found(first.text)) == 20
    next_link = re.search(r'href="([^"]+)"[^>]*rel="next"', first.text)
    assert next_link
    target = next_link.group(1).replace("&amp;", "&")
    assert "q=permanence" in target
    assert "axis=g" in target
    assert "page=2" in target
    second = await client.get(target)
    assert len(found(second.text)) == 5
    assert not set(found(first.text)) & set(found(second.text))
    assert 'rel="prev"' in second.text
    beyond = await client.get("/search", params={"q": "permanence", "axis": "g", "page": "9"})
    assert len(found(beyond.text)) == 5
    assert (await client.get("/search?page=abc")).status_code == 400


async def test_htmx_gets_only_the_results(client, db):
    cycle = await make_cycle(db, phase=Phase.PUBLISHED)
    wanted = await make_recommendation(db, cycle, status=Status.ADOPTED, finding="Un accueil de jour.")
    partial = await client.get("/search", params={"q": "accueil"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert partial.text.lstrip().startswith('<section id="search-results"')
    assert found(partial.text) == [str(wanted.id)]
    restore = await client.get(
        "/search", params={"q": "accueil"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text


@pytest.mark.without_jobs
async def test_the_search_makes_the_same_number_of_queries_for_3_or_20_results(client, db, app):
    cycle = await make_cycle(db)
    member = await member_of(db, cycle)
    for index in range(20):
        await make_recommendation(
            db,
            cycle,
            author=member,
            axis_code="G" if index < 3 else "P",
            finding="Un logement passerelle.",
            tags=[RecommendationTag(tag=f"t{index}")],
        )
    await sign_in(client, member)
    statements: list[str] = []

    def count(*args, **kwargs):
        statements.append(args[2])

    engines = {app.state.db.reader.sync_engine, app.state.db.writer.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        few = await client.get("/search", params={"q": "passerelle", "axis": "g"})
        few_count = len(statements)
        statements.clear()
        many = await client.get("/search", params={"q": "passerelle"})
        many_count = len(statements)
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)
    assert len(found(few.text)) == 3
    assert len(found(many.text)) == 20
    assert few_count == many_count
    # 20 for the page and its rows' facts, one for the comments' passages found by the words
    assert many_count <= 21, "\n".join(statement.split("\n")[0][:90] for statement in statements)


def test_user_input_becomes_quoted_prefix_words():
    assert words('Le "loyer" NEAR( l\'accès* OR') == ["le", "loyer", "near", "l", "accès", "or"]
    assert fts5_query('loyer "cher') == '"loyer"* AND "cher"*'
    assert fts5_query('" * NEAR(') == '"near"*'
    assert fts5_query("*") == ""
    assert tsquery_text("Loyer & cher!") == "loyer:* & cher:*"
    assert tsquery_text("'; DROP TABLE x") == "drop:* & table:* & x:*"


def test_the_snippet_is_escaped_and_centred_on_the_first_word_found():
    text = "Début. " + "mot " * 100 + "Une <script>caution</script> demandée & refusée."
    excerpt = snippet(text, ["caution"])
    assert excerpt.startswith("… ")
    assert "<mark>caution</mark>" in excerpt
    assert "<script>" not in excerpt
    assert "&lt;script&gt;" in excerpt
    assert "&amp; refusée" in excerpt
    assert snippet("Une **rénovation** urgente", ["renovation"]) == "Une <mark>rénovation</mark> urgente"


async def test_the_search_query_uses_the_full_text_index_of_the_migration(db):
    admin = await make_user(db, is_admin=True)  # an admin sees everything: the words are the only condition
    async with db.session(write=False) as session:
        dialect = session.bind.dialect
        statement, order = search_statement(dialect.name, admin, Filters(q="logement social"))
        sql = str(statement.order_by(*order).compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        if dialect.name == "sqlite":
            plan = " ".join(str(row[-1]) for row in (await session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))).all())
            assert "VIRTUAL TABLE INDEX" in plan
        else:
            # Few rows make a sequential scan cheaper; forbid it to see that the expression matches the index.
            await session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(row[0] for row in (await session.execute(text(f"EXPLAIN {sql}"))).all())
            assert "search_recommendation_document" in plan


async def test_a_word_said_in_the_discussion_finds_the_recommendation_and_shows_the_comment_linked(client, db):
    cycle = await make_cycle(db)
    member = await member_of(db, cycle)
    colleague = await member_of(db, cycle, display_name="Griet Vandenberghe")
    discussed = await make_recommendation(db, cycle, author=member, finding="Les jeunes frappent à quatre portes.")
    await make_recommendation(db, cycle, author=member, finding="Les écoles ignorent le terrain.")
    comment = await make_comment(
        db, discussed, colleague, "À Mouscron, le propriétaire réclame **trois mois** de garantie à l'entrée."
    )
    await sign_in(client, member)

    assert await search(client, q="Mouscron") == [str(discussed.id)]
    assert await search(client, q="mouscron propriét") == [str(discussed.id)], "accents, case, word beginnings"
    assert await search(client, q="Mouscron terrain") == [], "every word in one text"
    page = (await client.get("/search?q=Mouscron")).text
    assert f'href="/recommendations/{discussed.id}#comment-{comment.id}"' in page
    assert "Griet Vandenberghe" in page
    assert "<mark>Mouscron</mark>, le propriétaire réclame trois mois" in page


async def test_a_match_in_the_text_comes_before_a_match_in_a_comment(client, db):
    cycle = await make_cycle(db)
    member = await member_of(db, cycle)
    in_comment = await make_recommendation(db, cycle, author=member, finding="Les écoles ignorent le terrain.")
    await make_comment(db, in_comment, member, "La caution bloque tout.")
    in_text = await make_recommendation(db, cycle, author=member, finding="La caution exigée est trop élevée.")
    await sign_in(client, member)
    assert await search(client, q="caution") == [str(in_text.id), str(in_comment.id)]


async def test_hidden_and_deleted_comments_and_unreadable_cycles_are_not_searched(client, db):
    cycle = await make_cycle(db)
    other_cycle = await make_cycle(db)
    member = await member_of(db, cycle)
    stranger = await member_of(db, other_cycle)
    recommendation = await make_recommendation(db, cycle, author=member, status=Status.DRAFT)
    await make_comment(db, recommendation, member, "Un mot caché: zanzibar.", hidden_at=datetime.now(UTC))
    await make_comment(db, recommendation, member, "Un mot effacé: tombouctou.", deleted_at=datetime.now(UTC))
    await make_comment(db, recommendation, member, "Un mot lisible: valparaiso.")
    await sign_in(client, member)
    assert await search(client, q="zanzibar") == []
    assert await search(client, q="tombouctou") == []
    assert await search(client, q="valparaiso") == [str(recommendation.id)]
    await sign_in(client, stranger)
    assert await search(client, q="valparaiso") == [], "a cycle the reader is not in keeps its discussion"


async def test_the_search_says_that_comments_are_searched_in_french_and_dutch(client, db):
    cycle = await make_cycle(db)
    member = await member_of(db, cycle)
    await sign_in(client, member)
    assert "ou dans l’un de ses commentaires" in (await client.get("/search")).text
    dutch = await member_of(db, cycle, language=Language.DUTCH)
    await sign_in(client, dutch)
    assert "of in een van de reacties erop" in (await client.get("/search")).text
