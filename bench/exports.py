"""Exporting a large dossier to every format, with time and peak memory per format.

    python -m bench.exports        (or `make bench-exports`)

A temporary SQLite file is migrated with Alembic and filled with one cycle after its vote: 300
recommendations (two thirds adopted, each with a Dutch translation and the comparison of schemes),
20,000 comments and 5,000 ballots. The dossier's content model is built from the database once, as
publishing does (timed), then each format is rendered in its own child process from that content, as
the background export does, so that each format's peak memory (the child's maximum resident set size,
interpreter included) is its own. The PDF is compiled by Typst in a process the child starts: peak_mb
is the largest of the child's and that process's peaks, all_mb adds them (an upper bound on everything
resident at once). Each line reads:

    format=pdf language=fr-nl seconds=… peak_mb=… all_mb=… bytes=… aim=yes

Aims: the PDF under PDF_AIM_SECONDS (a fifth of what WeasyPrint, the engine Typst replaced, took on
the same content on a quiet machine: see the README) and 600 MB, the other formats under 5 s and
500 MB. `--discussion` adds the annex with the discussion (every comment), which no aim is meant for.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from alembic import command
from alembic.config import Config

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PDF_AIM_SECONDS = 4.0
AIM_SECONDS = {"pdf": PDF_AIM_SECONDS}
DEFAULT_AIM_SECONDS = 5.0
AIM_MB = {"pdf": 600.0}
DEFAULT_AIM_MB = 500.0
SIDES = ("nord", "hainaut", "west_vlaanderen")
PARAGRAPH = (
    "Les jeunes de 18 à 25 ans frappent à quatre portes avant de trouver un logement : le CPAS, la mission "
    "locale, le bailleur social et l'association de quartier. Chaque porte a ses formulaires et ses délais."
)
PARAGRAPH_NL = (
    "Jongeren van 18 tot 25 jaar kloppen aan vier deuren aan voor ze een woning vinden: het OCMW, de "
    "jongerendienst, de sociale huisvestingsmaatschappij en de buurtvereniging."
)


async def fill(url: str, sizes: argparse.Namespace) -> str:
    """The cycle, its people, recommendations, translations, comments and ballots; returns the slug."""
    from workspace.accounts.models import TERRITORY_SIDES, Territory, User
    from workspace.core.db import Database
    from workspace.cycles.models import Axis, Cycle, Membership, Phase
    from workspace.cycles.services import SEEDED_AXES
    from workspace.discussion.models import Comment
    from workspace.recommendations.models import Recommendation, Status, Translation
    from workspace.voting.models import Ballot, Choice

    rng = random.Random(sizes.seed)  # noqa: S311 - benchmark data, not secrets
    db = Database(url)
    cycle = Cycle(
        year=2013,
        slug="acces-au-logement-2013",
        title_fr="L'accès au logement des jeunes",
        title_nl="Toegang tot huisvesting voor jongeren",
        theme_fr=PARAGRAPH,
        theme_nl=PARAGRAPH_NL,
        phase=Phase.CONSOLIDATION,
    )
    for position, (code, fr, nl, en, *_rest) in enumerate(SEEDED_AXES):
        cycle.axes.append(Axis(code=code, position=position, name_fr=fr, name_nl=nl, name_en=en))
    async with db.transaction() as session:
        session.add(cycle)
    voters = []
    async with db.transaction() as session:
        for index in range(sizes.voters):
            territory = Territory(SIDES[index % 3])
            user = User(
                email=f"voter{index}@bench.example",
                display_name=f"Voter {index}",
                organisation=f"Organisation {index % 40}",
                territory=territory,
                side=TERRITORY_SIDES.get(territory),
            )
            session.add(user)
            voters.append(user)
        await session.flush()
        session.add_all(Membership(user_id=user.id, cycle_id=cycle.id) for user in voters)
    recommendations = []
    async with db.transaction() as session:
        for index in range(sizes.recommendations):
            recommendation = Recommendation(
                cycle_id=cycle.id,
                axis_id=cycle.axes[index % 3].id,
                author_id=voters[index % len(voters)].id,
                status=Status.ADOPTED if index % 3 else Status.NOT_ADOPTED,
                title=f"Recommandation {index}: un guichet unique transfrontalier",
                finding=PARAGRAPH * 2,
                proposal=f"- Ouvrir un guichet commun\n- {PARAGRAPH}",
                institutions="CPAS de Mons; Département du Nord",
                expected_effect=PARAGRAPH,
                scheme_fr=PARAGRAPH,
                scheme_wal=PARAGRAPH,
                scheme_vl=PARAGRAPH_NL,
                harmonisation=PARAGRAPH,
            )
            session.add(recommendation)
            recommendations.append(recommendation)
        await session.flush()
        for recommendation in recommendations:
            content = {
                "title": f"Aanbeveling {recommendation.title[15:]}",
                "finding": PARAGRAPH_NL * 2,
                "proposal": PARAGRAPH_NL,
                "scheme_vl": PARAGRAPH_NL,
            }
            session.add(
                Translation(recommendation_id=recommendation.id, language="nl", content=content, source_revision=1)
            )
    async with db.transaction() as session:
        for index in range(sizes.comments):
            session.add(
                Comment(
                    recommendation_id=recommendations[index % len(recommendations)].id,
                    author_id=voters[index % len(voters)].id,
                    body=PARAGRAPH,
                )
            )
    pairs = rng.sample([(r, v) for r in range(len(recommendations)) for v in range(len(voters))], sizes.ballots)
    async with db.transaction() as session:
        for r, v in pairs:
            choice = rng.choices(list(Choice), weights=(6, 2, 1, 1))[0]
            reason = "" if choice in (Choice.FOR, Choice.ABSTAIN) else "Pas de budget prévu pour la traduction."
            voter = voters[v]
            session.add(
                Ballot(
                    recommendation_id=recommendations[r].id,
                    user_id=voter.id,
                    choice=choice,
                    reason=reason,
                    side=voter.side,
                    actor_kind=voter.actor_kind,
                )
            )
    await db.dispose()
    return cycle.slug


async def build(url: str, slug: str, discussion: bool = False) -> dict:  # type: ignore[type-arg]
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from workspace.core.db import Database
    from workspace.cycles.access import CycleAccess
    from workspace.cycles.models import Cycle
    from workspace.dossier.annex import add_discussion
    from workspace.dossier.services import build_content

    db = Database(url)
    async with db.session(write=False) as session:
        cycle = await session.scalar(select(Cycle).where(Cycle.slug == slug).options(selectinload(Cycle.axes)))
        assert cycle is not None
        content = await build_content(session, CycleAccess(cycle, None, frozenset(), frozenset()))
        if discussion:
            await add_discussion(session, content)
    await db.dispose()
    content.version, content.published_on = 1, "2013-12-06"
    return content.to_dict()


def render_in_child(path: str, format_name: str, language: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from workspace.dossier import exports
    from workspace.dossier.content import DossierContent, languages_of

    content = DossierContent.from_dict(json.loads(Path(path).read_text()))
    render = exports.get_format(format_name).render  # imports are not part of the measured time
    started = time.perf_counter()
    data = render(content, languages_of(language))
    seconds = time.perf_counter() - started
    own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    compiler_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Typst's process has ended
    queue.put((seconds, max(own_mb, compiler_mb), own_mb + compiler_mb, len(data)))


def measure(path: Path, format_name: str, language: str) -> tuple[float, float, float, int]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=render_in_child, args=(str(path), format_name, language, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def main(argv: list[str] | None = None) -> int:
    sizes = parse_args(argv)
    from workspace.dossier.exports import FORMAT_NAMES

    with tempfile.TemporaryDirectory(prefix="passerelle-bench-exports-") as workdir:
        url = f"sqlite+aiosqlite:///{Path(workdir) / 'bench.sqlite3'}"
        config = Config(str(PROJECT_ROOT / "alembic.ini"))
        config.attributes["database_url"] = url
        config.attributes["configure_logger"] = False
        command.upgrade(config, "head")
        started = time.perf_counter()
        slug = asyncio.run(fill(url, sizes))
        print(
            f"filled: {sizes.recommendations} recommendations, {sizes.comments} comments, {sizes.ballots} "
            f"ballots in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        started = time.perf_counter()
        content = asyncio.run(build(url, slug, sizes.discussion))
        annex = " with the discussion annex" if sizes.discussion else ""
        print(f"content model built{annex} in {time.perf_counter() - started:.2f} s", flush=True)
        path = Path(workdir) / "content.json"
        path.write_text(json.dumps(content))
        failures = 0
        for format_name in sizes.formats or FORMAT_NAMES:
            seconds, peak_mb, all_mb, size = measure(path, format_name, sizes.language)
            met = seconds < AIM_SECONDS.get(format_name, DEFAULT_AIM_SECONDS) and peak_mb < AIM_MB.get(
                format_name, DEFAULT_AIM_MB
            )
            failures += not met
            print(
                f"format={format_name} language={sizes.language} seconds={seconds:.2f} peak_mb={peak_mb:.0f} "
                f"all_mb={all_mb:.0f} bytes={size} aim={'yes' if met else 'NO'}",
                flush=True,
            )
    return 1 if failures else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.exports", description=__doc__.split("\n\n")[0])
    parser.add_argument("--recommendations", type=int, default=300)
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--ballots", type=int, default=5_000)
    parser.add_argument("--voters", type=int, default=60)
    parser.add_argument("--language", default="fr-nl", choices=("fr", "nl", "fr-nl"))
    parser.add_argument("--formats", nargs="*", help="only these formats (default: all)")
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--discussion", action="store_true", help="add the annex with every comment (no aims)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
