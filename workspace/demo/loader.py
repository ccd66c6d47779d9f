"""Load the demo workspace once, printing progress as it goes."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import TERRITORY_SIDES, MembershipRole, Side, User
from workspace.core.db import Database
from workspace.core.passwords import hash_password_sync
from workspace.core.tokens import utcnow
from workspace.cycles.access import CycleAccess
from workspace.cycles.models import Axis, Cycle, Meeting, MeetingKind, Membership, Phase, WorkingGroup
from workspace.cycles.services import SEEDED_AXES
from workspace.demo.people import GROUPS, PEOPLE
from workspace.demo.recommendations import (
    COMMENTS,
    IMPORTED_2012,
    IMPORTED_2012_DOCUMENT,
    RECOMMENDATIONS_2012,
    RECOMMENDATIONS_2013,
)
from workspace.discussion.models import Comment, Follow, MeetingRecommendation, Notification, Report
from workspace.dossier.models import AuthorityAnswer, DossierVersion, Position
from workspace.dossier.reasons import OMIT
from workspace.dossier.services import build_content
from workspace.recommendations.glossary import seed_glossary
from workspace.recommendations.models import (
    TEXT_FIELDS,
    Amendment,
    CoAuthor,
    Recommendation,
    RecommendationTag,
    Revision,
    SourceDocument,
    SourceFormat,
    Status,
    Translation,
)
from workspace.voting.models import Ballot, Choice

DEMO_PASSWORD = "passerelle-demo"  # noqa: S105 - printed for people trying the demo
DEMO_SIGN_INS = [
    ("admin", "admin@passerelle.example"),
    ("facilitator (FR)", "sophie.lambert@passerelle.example"),
    ("member (FR)", "julien.deroo@passerelle.example"),
    ("member (NL)", "griet.vandenberghe@passerelle.example"),
    ("authority reviewer (NL)", "bart.claeys@passerelle.example"),
]


def _axes(cycle: Cycle) -> None:
    for position, (code, fr, nl, en, desc_fr, desc_nl, desc_en) in enumerate(SEEDED_AXES):
        cycle.axes.append(
            Axis(
                code=code,
                position=position,
                name_fr=fr,
                name_nl=nl,
                name_en=en,
                description_fr=desc_fr,
                description_nl=desc_nl,
                description_en=desc_en,
            )
        )


def _recommendation(
    cycle: Cycle, axis: Axis, author: User, group: WorkingGroup | None, **fields: object
) -> Recommendation:
    return Recommendation(
        cycle_id=cycle.id,
        axis_id=axis.id,
        author_id=author.id,
        group_id=group.id if group else None,
        revision_number=1,
        **fields,
    )


async def is_loaded(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(func.count()).select_from(Cycle)))


DEMO_OBJECTIONS = (
    "Le dispositif existe déjà en Wallonie sous une autre forme : il faudrait d'abord les comparer.",
    "Te duur voor kleine gemeenten zonder Vlaamse cofinanciering.",
    "Les CPAS n'ont pas le personnel pour assurer ce suivi.",
)


def _demo_ballot(status: Status, voter: User, turn: int) -> tuple[Choice, str]:
    """Adopted texts are backed on both sides; the others are backed in France and opposed in Belgium."""
    if status == Status.ADOPTED:
        if turn % 7 == 3:
            return Choice.AGAINST, DEMO_OBJECTIONS[turn % len(DEMO_OBJECTIONS)]
        return (Choice.ABSTAIN, "") if turn % 7 == 5 else (Choice.FOR, "")
    if voter.side == Side.FRANCE:
        return Choice.FOR, ""
    if turn % 5 == 0:
        return Choice.BLOCK, DEMO_OBJECTIONS[turn % len(DEMO_OBJECTIONS)]
    return Choice.AGAINST, DEMO_OBJECTIONS[turn % len(DEMO_OBJECTIONS)] if turn % 2 else ""


async def load_demo(db: Database, report: Callable[[str], None] = print) -> bool:
    """Returns False when the database already holds data (the demo is loaded once)."""
    async with db.transaction() as session:
        if await is_loaded(session):
            report("Demo data already present: nothing to do.")
            return False
        await _load(session, report)
    report("Demo data loaded.")
    return True


@dataclass
class _Demo:
    """What the steps of the loading build on: the people, the two cycles, 2013's working groups and the
    recommendations of both years."""

    users: list[User]
    cycle_2012: Cycle
    cycle_2013: Cycle
    groups: list[WorkingGroup] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)

    @property
    def members(self) -> list[User]:
        return [user for user, person in zip(self.users, PEOPLE, strict=True) if person[6] is not None]

    @property
    def voters(self) -> list[User]:
        roles = (MembershipRole.MEMBER, MembershipRole.FACILITATOR)
        return [user for user, person in zip(self.users, PEOPLE, strict=True) if person[6] in roles]


async def _load(session: AsyncSession, report: Callable[[str], None]) -> None:
    report(f"[1/5] People ({len(PEOPLE)})…")
    users = _people()
    session.add_all(users)
    report("[2/5] Cycles 2012 and 2013, axes and working groups…")
    demo = await _cycles(session, users)
    report(f"[3/5] Recommendations ({len(RECOMMENDATIONS_2013) + len(RECOMMENDATIONS_2012)})…")
    await _recommendations(session, demo)
    report("[4/5] Comments…")
    await _discussion(session, demo)
    report("[5/5] Ballots, a translation, an amendment, the glossary and an authority answer…")
    _ballots_2012(session, demo)
    _translation_and_amendment(session, demo)
    await seed_glossary(session)
    await _published_2012(session, demo)
    await _imported_2012(session, demo)


def _people() -> list[User]:
    password_hash = hash_password_sync(DEMO_PASSWORD)
    return [
        User(
            email=email,
            display_name=name,
            organisation=organisation,
            territory=territory,
            side=TERRITORY_SIDES.get(territory),
            actor_kind=kind,
            language=language,
            password_hash=password_hash,
            is_admin=email.startswith("admin@"),
        )
        for email, name, organisation, territory, kind, language, _role, _group in PEOPLE
    ]


async def _cycles(session: AsyncSession, users: list[User]) -> _Demo:
    cycle_2012 = Cycle(
        year=2012,
        slug="2012-developpement-durable-logement",
        phase=Phase.FOLLOW_UP,
        title_fr="Le développement durable et le logement des plus démunis",
        title_nl="Duurzame ontwikkeling en huisvesting voor de armsten",
        title_en="Sustainable development and housing for the poorest",
        theme_fr="Comment concilier transition écologique et droit au logement des ménages les plus pauvres ?",
        theme_nl="Hoe verzoenen we de ecologische transitie met het recht op wonen van de armste gezinnen?",
    )
    cycle_2013 = Cycle(
        year=2013,
        slug="2013-acces-logement-jeunes",
        phase=Phase.DISCUSSION,
        title_fr="Accès au logement pour les jeunes",
        title_nl="Toegang tot huisvesting voor jongeren",
        title_en="Access to housing for young people",
        theme_fr="Les jeunes de 18 à 25 ans, **étudiants, travailleurs ou sortant de l'aide à la jeunesse**, "
        "peinent à trouver un premier logement des deux côtés de la frontière. Quelles réponses communes ?",
        theme_nl="Jongeren van 18 tot 25 jaar, **studenten, werkenden of jongeren uit de jeugdhulp**, "
        "vinden moeilijk een eerste woning aan beide kanten van de grens. Welke gezamenlijke antwoorden?",
        phase_changed_at=utcnow() - timedelta(days=3),
        phase_ends_on=date.today() + timedelta(days=25),
        created_at=utcnow() - timedelta(days=45),
    )
    for cycle in (cycle_2012, cycle_2013):
        _axes(cycle)
    groups = [WorkingGroup(name=name, description=description) for name, description in GROUPS]
    cycle_2013.groups.extend(groups)
    session.add_all([cycle_2012, cycle_2013])
    await session.flush()
    for user, (_email, _n, _o, _t, _k, _l, role, group_index) in zip(users, PEOPLE, strict=True):
        if role is None:
            continue
        group = groups[group_index] if group_index is not None else None
        institution = user.organisation if role == MembershipRole.AUTHORITY else None
        session.add(
            Membership(
                user_id=user.id,
                cycle_id=cycle_2013.id,
                group_id=group.id if group else None,
                role=role,
                institution=institution,
            )
        )
        session.add(Membership(user_id=user.id, cycle_id=cycle_2012.id, role=role, institution=institution))
    return _Demo(users=users, cycle_2012=cycle_2012, cycle_2013=cycle_2013, groups=groups)


async def _recommendations(session: AsyncSession, demo: _Demo) -> None:
    """2013's under discussion, with co-authors and tags; 2012's voted, numbered where adopted; each with
    its first revision."""
    demo.recommendations.extend(_recommendations_2013(demo))
    demo.recommendations.extend(_recommendations_2012(demo))
    session.add_all(demo.recommendations)
    await session.flush()
    for recommendation in demo.recommendations:
        content = {name: getattr(recommendation, name) for name in TEXT_FIELDS}
        session.add(
            Revision(
                recommendation_id=recommendation.id,
                number=1,
                author_id=recommendation.author_id,
                message="Première version",
                content=content,
            )
        )


def _recommendations_2013(demo: _Demo) -> list[Recommendation]:
    users, groups = demo.users, demo.groups
    made = []
    axes_2013 = {axis.code: axis for axis in demo.cycle_2013.axes}
    for row in RECOMMENDATIONS_2013:
        code, author_index, group_index, title, finding, proposal, level, institutions, effect, *schemes, tags = row
        scheme_fr, scheme_wal, scheme_vl, harmonisation = schemes
        author = users[author_index]
        recommendation = _recommendation(
            demo.cycle_2013,
            axes_2013[code],
            author,
            groups[group_index] if group_index is not None else None,
            status=Status.SUBMITTED,
            language="nl" if author.language.value == "nl" else "fr",
            title=title,
            finding=finding,
            proposal=proposal,
            action_level=level,
            institutions=institutions,
            expected_effect=effect,
            scheme_fr=scheme_fr,
            scheme_wal=scheme_wal,
            scheme_vl=scheme_vl,
            harmonisation=harmonisation,
        )
        recommendation.tags = [RecommendationTag(tag=tag) for tag in tags]
        coauthor = users[(author_index % 10) + 2]
        if coauthor.id != author.id:
            recommendation.coauthors = [CoAuthor(user_id=coauthor.id)]
        made.append(recommendation)
    return made


def _recommendations_2012(demo: _Demo) -> list[Recommendation]:
    made = []
    axes_2012 = {axis.code: axis for axis in demo.cycle_2012.axes}
    counters: dict[str, int] = {}
    for code, title, finding, proposal, status, institutions in RECOMMENDATIONS_2012:
        reference = None
        if status == "adopted":
            counters[code] = counters.get(code, 0) + 1
            reference = f"{code}{counters[code]}"
        made.append(
            _recommendation(
                demo.cycle_2012,
                axes_2012[code],
                demo.users[1],
                None,
                status=Status(status),
                title=title,
                finding=finding,
                proposal=proposal,
                reference=reference,
                institutions=institutions,
            )
        )
    return made


async def _discussion(session: AsyncSession, demo: _Demo) -> None:
    """Comments and replies, a reply notice and a report, followers, and a site visit."""
    members, recommendations = demo.members, demo.recommendations
    for index, recommendation in enumerate(recommendations[:8]):
        first = Comment(
            recommendation_id=recommendation.id,
            author_id=members[index % len(members)].id,
            body=COMMENTS[index % len(COMMENTS)],
        )
        session.add(first)
        await session.flush()
        if index % 2 == 0:
            session.add(
                Comment(
                    recommendation_id=recommendation.id,
                    parent_id=first.id,
                    author_id=members[(index + 3) % len(members)].id,
                    body=COMMENTS[(index + 1) % len(COMMENTS)],
                )
            )
    commented = recommendations[0]
    replied = await session.scalar(
        select(Comment).where(Comment.recommendation_id == commented.id, Comment.parent_id.is_(None))
    )
    if replied is not None and replied.author_id is not None:
        session.add(
            Notification(
                user_id=replied.author_id,
                kind="reply",
                link=f"/recommendations/{commented.id}",
                params={"actor": members[3].display_name, "title": commented.title},
            )
        )
        session.add(
            Report(
                comment_id=replied.id,
                reporter_id=members[5].id,
                reason="Ce commentaire cite une famille que l’on peut reconnaître.",
            )
        )
    for member in members[:4]:
        session.add(Follow(user_id=member.id, recommendation_id=commented.id))
    if demo.groups:
        meeting = Meeting(
            group_id=demo.groups[0].id,
            kind=MeetingKind.SITE_VISIT,
            held_on=date(2013, 3, 14),
            place="Tournai, Maison de l’habitat",
            agenda="1. Accueil des jeunes\n2. Guichet commun\n3. Suite du travail",
            minutes="Visite du guichet du **CPAS de Tournai**. Les participants notent que les jeunes "
            "français y sont reçus sans rendez-vous le mardi.",
        )
        session.add(meeting)
        await session.flush()
        for recommendation in recommendations[:2]:
            session.add(MeetingRecommendation(meeting_id=meeting.id, recommendation_id=recommendation.id))


def _ballots_2012(session: AsyncSession, demo: _Demo) -> None:
    """The 2013 cycle is still under discussion: the ballots shown are those of the 2012 vote, cast so that
    each status is what the double majority gives (tests/demo checks it)."""
    rng = random.Random(2013)
    voters = demo.voters
    voted = [r for r in demo.recommendations if r.cycle_id == demo.cycle_2012.id]
    ballots = []
    for index, recommendation in enumerate(voted):
        for position, voter in enumerate(voters[: rng.randint(len(voters) - 3, len(voters))]):
            choice, reason = _demo_ballot(recommendation.status, voter, index + position)
            ballots.append(
                Ballot(
                    recommendation_id=recommendation.id,
                    user_id=voter.id,
                    choice=choice,
                    reason=reason,
                    side=voter.side,
                    actor_kind=voter.actor_kind,
                )
            )
    # A minority view that cites someone: the guard flagged it and the facilitators left it out of the dossier.
    slip = next(ballot for ballot in ballots if ballot.choice == Choice.AGAINST and ballot.reason)
    slip.reason += " Voir Mme Lefebvre au 06 12 34 56 78, qui attend depuis huit mois."
    slip.reason_review = OMIT
    session.add_all(ballots)


def _translation_and_amendment(session: AsyncSession, demo: _Demo) -> None:
    users = demo.users
    guichet = demo.recommendations[4]
    session.add(
        Translation(
            recommendation_id=guichet.id,
            language="nl",
            source_revision=1,
            translator_id=users[3].id,
            content={
                "title": "Eén grensoverschrijdend loket voor jongeren die een woning zoeken",
                "finding": "Een jongere van 19 die in Doornik werkt en in Roubaix woont, moet bij vier deuren "
                "aankloppen om te weten waar hij recht op heeft.",
                "proposal": "In elk grensbekken een gemeenschappelijk loket openen, beurtelings bemand door een "
                "CCAS, een OCMW en een CPAS, dat informeert over de rechten aan beide kanten en de aanvraag "
                "begeleidt.",
                "institutions": guichet.institutions,
                "expected_effect": "Minder niet-gebruik van woonhulp bij 18- tot 25-jarigen.",
                "scheme_fr": guichet.scheme_fr,
                "scheme_wal": guichet.scheme_wal,
                "scheme_vl": guichet.scheme_vl,
                "harmonisation": "Eenzelfde onthaal, waar de jongere ook woont.",
            },
        )
    )
    session.add(
        Amendment(
            recommendation_id=guichet.id,
            author_id=users[6].id,
            base_revision=1,
            reason="Préciser qui finance le guichet, sinon les communes refuseront.",
            content={
                **{name: getattr(guichet, name) for name in TEXT_FIELDS},
                "action_level": guichet.action_level.value,
                "tags": ", ".join(sorted(tag.tag for tag in guichet.tags)),
                "proposal": guichet.proposal + "\n\nLe guichet est cofinancé par le programme Interreg et les "
                "trois régions, à parts égales.",
            },
        )
    )


async def _published_2012(session: AsyncSession, demo: _Demo) -> None:
    """An authority's answer, and the 2012 dossier, published: what the public dossier and follow-up
    pages show."""
    adopted_2012 = [r for r in demo.recommendations if r.cycle_id == demo.cycle_2012.id and r.status == Status.ADOPTED]
    session.add(
        AuthorityAnswer(
            recommendation_id=adopted_2012[0].id,
            institution="Provincie West-Vlaanderen",
            reviewer_id=demo.users[-1].id,
            position=Position.WILL_STUDY,
            commitment="De provincie onderzoekt een proefproject met energiebegeleiding in 2013.",
            responsible_service="Dienst Wonen",
            deadline=date(utcnow().year + 1, 6, 30),
        )
    )
    await session.flush()
    access = CycleAccess(cycle=demo.cycle_2012, user=None, roles=frozenset(), group_ids=frozenset())
    content = await build_content(session, access)
    content.version, content.published_on = 1, "2012-12-07"
    session.add(
        DossierVersion(
            cycle_id=demo.cycle_2012.id,
            number=1,
            published_by_id=demo.users[1].id,
            note="",
            content=content.to_dict(),
        )
    )


async def _imported_2012(session: AsyncSession, demo: _Demo) -> None:
    """A working group's notes of 2012, imported by its facilitator once the cycle had closed: drafts that
    say which document and item they came from."""
    facilitator = demo.users[1]
    document = SourceDocument(
        cycle_id=demo.cycle_2012.id,
        file_name=IMPORTED_2012_DOCUMENT,
        format=SourceFormat.DOCX,
        uploaded_by_id=facilitator.id,
        proposal={"version": 1, "language": "fr", "drafts": []},
        imported_at=utcnow(),
    )
    session.add(document)
    await session.flush()
    axes = {axis.code: axis for axis in demo.cycle_2012.axes}
    drafts = [
        _recommendation(
            demo.cycle_2012,
            axes[code],
            facilitator,
            None,
            status=Status.DRAFT,
            title=title,
            finding=finding,
            proposal=proposal,
            institutions=institutions,
            source_document_id=document.id,
            source_item=item,
            source_heading=heading,
        )
        for code, item, heading, title, finding, proposal, institutions in IMPORTED_2012
    ]
    session.add_all(drafts)
    await session.flush()
    for draft in drafts:
        content = {name: getattr(draft, name) or "" for name in TEXT_FIELDS}
        message = f"Importé de {IMPORTED_2012_DOCUMENT}"
        session.add(
            Revision(recommendation_id=draft.id, number=1, author_id=facilitator.id, message=message, content=content)
        )
