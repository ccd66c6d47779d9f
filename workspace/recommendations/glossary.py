"""The network's shared glossary: the field's terms in French, Dutch (and English), who keeps it, and
linking the terms where they appear in a recommendation's text.

A term field may hold alternatives separated by " / " ("ongeschiktheid / onbewoonbaarheid"): each
alternative is looked for in texts, the whole field is what the glossary shows.
"""

from __future__ import annotations

import html
import re
import secrets
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from uuid import UUID

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workspace.accounts.models import MembershipRole, User
from workspace.core import audit
from workspace.core.forms import Form, FormError
from workspace.core.i18n import gettext as _
from workspace.core.markdown import plain_text
from workspace.core.web import found
from workspace.cycles.models import Membership
from workspace.recommendations.models import GlossaryTerm

TERM_LENGTH = 160
DEFINITION_LENGTH = 5_000
TERM_LANGUAGES = ("fr", "nl", "en")
FIELDS = ("term_fr", "term_nl", "term_en", "definition_fr", "definition_nl")


# --- reading -----------------------------------------------------------------------------------------------


async def all_terms(session: AsyncSession) -> list[GlossaryTerm]:
    """Every term, in the order the network added them (the order `link_terms` breaks ties with)."""
    return list((await session.scalars(select(GlossaryTerm).order_by(GlossaryTerm.created_at, GlossaryTerm.id))).all())


def term_in(term: GlossaryTerm, language: str) -> str:
    by_language = {"fr": term.term_fr, "nl": term.term_nl, "en": term.term_en}
    return by_language.get(language) or term.term_fr


def _sort_key(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def sorted_for(terms: Sequence[GlossaryTerm], language: str) -> list[GlossaryTerm]:
    """Alphabetical in the reader's language, accents ignored."""
    names = display_names(terms, language)
    return sorted(terms, key=lambda term: _sort_key(names[term.id]))


def display_names(terms: Sequence[GlossaryTerm], language: str) -> dict[UUID, str]:
    """Each term's name in the reader's language; names two terms share (OCMW for CPAS and CCAS) get the
    French term (the Dutch one for French readers) in brackets, so every heading is distinct."""
    names = {term.id: term_in(term, language) for term in terms}
    counts: dict[str, int] = {}
    for name in names.values():
        counts[_sort_key(name)] = counts.get(_sort_key(name), 0) + 1
    for term in terms:
        if counts[_sort_key(names[term.id])] > 1:
            other = term.term_nl if language == "fr" else term.term_fr
            if _sort_key(other) != _sort_key(names[term.id]):
                names[term.id] = f"{names[term.id]} ({other})"
    return names


async def can_edit(session: AsyncSession, user: User | None) -> bool:
    """Facilitators of any cycle (not suspended) and admins keep the glossary."""
    if user is None:
        return False
    if user.is_admin:
        return True
    facilitator = await session.scalar(
        select(Membership.id)
        .where(
            Membership.user_id == user.id,
            Membership.role == MembershipRole.FACILITATOR,
            Membership.suspended_at.is_(None),
        )
        .limit(1)
    )
    return facilitator is not None


async def get_term(session: AsyncSession, term_id: UUID) -> GlossaryTerm:
    term = await session.get(GlossaryTerm, term_id)
    term = found(term)
    return term


def form_for(term: GlossaryTerm) -> Form:
    return Form(values={name: getattr(term, name) or "" for name in FIELDS})


# --- keeping it --------------------------------------------------------------------------------------------


async def _validate(session: AsyncSession, form: Form, editing: GlossaryTerm | None = None) -> None:
    term_fr = form.text("term_fr", required=True, max_length=TERM_LENGTH)
    form.text("term_nl", required=True, max_length=TERM_LENGTH)
    form.text("term_en", max_length=TERM_LENGTH)
    form.text("definition_fr", max_length=DEFINITION_LENGTH)
    form.text("definition_nl", max_length=DEFINITION_LENGTH)
    if term_fr and "term_fr" not in form.errors:
        wanted = _sort_key(" ".join(term_fr.split()))
        others = await session.execute(select(GlossaryTerm.id, GlossaryTerm.term_fr))
        if any(
            _sort_key(" ".join(text.split())) == wanted
            for id_, text in others.all()
            if not editing or id_ != editing.id
        ):
            form.add_error("term_fr", _("This term is already in the glossary."))
    if not form.is_valid:
        raise FormError(form)


def _content(term: GlossaryTerm) -> dict[str, Any]:
    return {name: getattr(term, name) or "" for name in FIELDS}


async def create_term(session: AsyncSession, form: Form, actor: User) -> GlossaryTerm:
    await _validate(session, form)
    term = GlossaryTerm(**{name: form.get(name) for name in FIELDS})
    session.add(term)
    await session.flush()
    audit.record(
        session,
        action="glossary.create",
        actor_id=actor.id,
        target_kind="glossary_term",
        target_id=term.id,
        term_fr=term.term_fr,
        term_nl=term.term_nl,
    )
    return term


async def update_term(session: AsyncSession, term: GlossaryTerm, form: Form, actor: User) -> GlossaryTerm:
    await _validate(session, form, editing=term)
    before = _content(term)
    for name in FIELDS:
        setattr(term, name, form.get(name))
    changed = {
        name: {"before": before[name], "after": form.get(name)} for name in FIELDS if before[name] != form.get(name)
    }
    await session.flush()
    audit.record(
        session,
        action="glossary.update",
        actor_id=actor.id,
        target_kind="glossary_term",
        target_id=term.id,
        term_fr=term.term_fr,
        changes=changed,
    )
    return term


async def delete_term(session: AsyncSession, term: GlossaryTerm, actor: User) -> None:
    # The whole entry goes into the audit log, so a deletion can be undone by hand.
    audit.record(
        session,
        action="glossary.delete",
        actor_id=actor.id,
        target_kind="glossary_term",
        target_id=term.id,
        **_content(term),
    )
    await session.delete(term)
    await session.flush()


# --- linking terms in a text ---------------------------------------------------------------------------------

# A start or end tag as nh3 writes them: attribute values are double-quoted and may hold ">".
_TAG = re.compile(r"""<(?:[^<>"']|"[^"]*"|'[^']*')*>""")
_TAG_NAME = re.compile(r"<\s*(/)?\s*([a-zA-Z][a-zA-Z0-9]*)")
_NO_LINK_INSIDE = frozenset({"a", "code", "pre", "script", "style", "textarea", "title"})
_APOSTROPHES = "'’ʼ"
_ALTERNATIVES = re.compile(r"\s+/\s+")
MIN_FORM_LENGTH = 2
NOTE_LENGTH = 280


def term_forms(value: str) -> list[str]:
    """The alternatives a term field holds ("ongeschiktheid / onbewoonbaarheid")."""
    return [form for form in (" ".join(part.split()) for part in _ALTERNATIVES.split(value or "")) if form]


def _key(text: str) -> str:
    """How a form and a matched text compare: case, spacing and the kind of apostrophe ignored."""
    for apostrophe in _APOSTROPHES[1:]:
        text = text.replace(apostrophe, "'")
    return " ".join(text.split()).lower()


def _form_pattern(form: str) -> str:
    pieces: list[str] = []
    for char in form:
        if char in _APOSTROPHES:
            pieces.append(f"[{_APOSTROPHES}]")
        elif char == " ":
            pieces.append(r"\s+")
        else:
            pieces.append(re.escape(char))
    return "".join(pieces)


Signature = tuple[tuple[str, str, str, str], ...]


@lru_cache(maxsize=32)
def _matcher(signature: Signature) -> tuple[re.Pattern[str] | None, dict[str, int]]:
    """One pattern for every form of every term (longest first), and which term each form belongs to
    (the first term in the list when two share a form: OCMW answers both CPAS and CCAS)."""
    owner: dict[str, int] = {}
    for index, (_id, *fields) in enumerate(signature):
        for value in fields:
            for form in term_forms(value):
                if len(form) >= MIN_FORM_LENGTH:
                    owner.setdefault(_key(form), index)
    if not owner:
        return None, owner
    alternatives = sorted(owner, key=len, reverse=True)
    pattern = r"(?<!\w)(?:" + "|".join(_form_pattern(form) for form in alternatives) + r")(?!\w)"
    return re.compile(pattern, re.IGNORECASE), owner


def _other_names(term: GlossaryTerm, matched: str, language: str) -> str:
    """The term in the languages other than the one the text used, the reader's language first."""
    fields = {"fr": term.term_fr, "nl": term.term_nl, "en": term.term_en}
    matched_key = _key(matched)
    order = [language, *(code for code in TERM_LANGUAGES if code != language)]
    parts: list[str] = []
    for code in order:
        value = fields.get(code) or ""
        if not value or any(_key(form) == matched_key for form in term_forms(value)):
            continue
        parts.append(f"{value} ({code.upper()})")
    return " · ".join(parts)


def definition_for(term: GlossaryTerm, language: str) -> tuple[str, str]:
    """The definition a reader gets (their language, else French, else Dutch) and the language it is in."""
    by_language = {"fr": term.definition_fr, "nl": term.definition_nl}
    for code in (language, "fr", "nl"):
        if by_language.get(code):
            return code, by_language[code] or ""
    return language, ""


def _note(term: GlossaryTerm, matched: str, language: str, note_id: str) -> Markup:
    """What a term shows when it is focused or tapped: its names in the other languages, the first words of
    its definition, and a link to the whole entry (a popover: opened by the browser, no script needed)."""
    others = _other_names(term, matched, language)
    definition_language, definition = definition_for(term, language)
    excerpt = plain_text(definition, NOTE_LENGTH)
    parts = [Markup('<span class="glossary-note" id="{}" popover>').format(note_id)]
    if others:
        parts.append(Markup('<span class="glossary-note__names">{}</span> ').format(others))
    if excerpt:
        parts.append(
            Markup('<span class="glossary-note__text" lang="{}">{}</span> ').format(definition_language, excerpt)
        )
    elif not others:
        parts.append(Markup('<span class="glossary-note__text">{}</span> ').format(_("No definition yet.")))
    parts.append(
        Markup('<a href="/glossary#term-{}">{}<span class="visually-hidden"> ({})</span></a></span>').format(
            term.id, _("The glossary entry"), matched
        )
    )
    return Markup("").join(parts)


def link_terms(html_text: Markup, terms: Sequence[GlossaryTerm], language: str) -> Markup:
    """Mark the glossary's terms in sanitised HTML: whole words, any case, in any of the languages, in text
    only (never inside a tag, a link or code), the first occurrence of each term only. Each becomes a button
    that opens a note with the term's meaning (see `_note`), reachable by keyboard and by touch."""
    if not isinstance(html_text, Markup):
        html_text = escape(html_text or "")  # plain text is text, never markup
    if not html_text or not terms:
        return html_text
    signature: Signature = tuple(
        (str(term.id), term.term_fr or "", term.term_nl or "", term.term_en or "") for term in terms
    )
    pattern, owner = _matcher(signature)
    if pattern is None:
        return html_text
    source = str(html_text)
    linked: set[int] = set()
    depth = 0
    out: list[str] = []
    position = 0
    for tag in _TAG.finditer(source):
        out.append(_link_text(source[position : tag.start()], pattern, owner, terms, linked, language, depth))
        out.append(tag.group(0))
        position = tag.end()
        name = _TAG_NAME.match(tag.group(0))
        if name and name.group(2).lower() in _NO_LINK_INSIDE and not tag.group(0).endswith("/>"):
            depth = max(0, depth - 1) if name.group(1) else depth + 1
    out.append(_link_text(source[position:], pattern, owner, terms, linked, language, depth))
    return Markup("".join(out))  # noqa: S704 - tags kept as they were, text escaped in _link_text


def _link_text(
    segment: str,
    pattern: re.Pattern[str],
    owner: dict[str, int],
    terms: Sequence[GlossaryTerm],
    linked: set[int],
    language: str,
    depth: int,
) -> str:
    if not segment or depth or len(linked) == len(terms):
        return segment
    text = html.unescape(segment)
    pieces: list[str] = []
    position = 0
    for match in pattern.finditer(text):
        index = owner.get(_key(match.group(0)))
        if index is None or index in linked:
            continue
        linked.add(index)
        term = terms[index]
        pieces.append(escape(text[position : match.start()]))
        note_id = f"glossary-note-{secrets.token_hex(6)}"
        pieces.append(
            Markup('<button type="button" class="glossary-term" popovertarget="{}">{}</button>').format(
                note_id, match.group(0)
            )
        )
        pieces.append(_note(term, match.group(0), language, note_id))
        position = match.end()
    if not pieces:
        return segment
    pieces.append(escape(text[position:]))
    return "".join(pieces)


# --- the terms the network starts with -----------------------------------------------------------------------

SEED_TERMS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "CPAS",
        "OCMW",
        "public social welfare centre (Belgium)",
        "Centre public d'action sociale : dans chaque commune belge, l'institution qui accorde l'aide sociale "
        "et le revenu d'intégration. En Flandre : OCMW. En France, le plus proche est le CCAS, dont les missions "
        "sont plus limitées (le RSA y est versé par la CAF pour le département).",
        "Openbaar centrum voor maatschappelijk welzijn: in elke Belgische gemeente de instelling die "
        "maatschappelijke dienstverlening en het leefloon toekent. In Wallonië en Brussel: CPAS. In Vlaanderen "
        "sinds 2019 bestuurlijk geïntegreerd met de gemeente. In Frankrijk komt het CCAS het dichtst in de buurt.",
    ),
    (
        "CCAS",
        "OCMW",
        "municipal social action centre (France)",
        "Centre communal d'action sociale : établissement public communal français (obligatoire à partir de "
        "1 500 habitants) qui anime l'action sociale de la commune, instruit les demandes d'aide sociale légale "
        "et accorde des aides facultatives. Son homologue belge est le CPAS (OCMW en Flandre), qui verse en plus "
        "le revenu d'intégration.",
        "Centre communal d'action sociale: Franse gemeentelijke openbare instelling (verplicht vanaf 1 500 "
        "inwoners) die het sociaal beleid van de gemeente uitvoert, aanvragen voor wettelijke sociale bijstand "
        "behandelt en facultatieve steun toekent. Het Belgische OCMW (CPAS in Wallonië) komt het dichtst in de "
        "buurt, maar keert daarnaast ook het leefloon uit.",
    ),
    (
        "bailleur social",
        "sociale huisvestingsmaatschappij / woonmaatschappij",
        "social landlord",
        "Organisme qui construit, gère et loue des logements sociaux : en France les organismes HLM (offices "
        "publics de l'habitat, entreprises sociales pour l'habitat), en Wallonie les sociétés de logement de "
        "service public (SLSP), en Flandre les sociétés de logement social, regroupées depuis 2023 avec les "
        "agences immobilières sociales dans les « woonmaatschappijen ».",
        "Organisatie die sociale woningen bouwt, beheert en verhuurt. In Vlaanderen zijn de sociale "
        "huisvestingsmaatschappijen en de sociale verhuurkantoren sinds 2023 samengegaan in woonmaatschappijen; "
        "in Wallonië: sociétés de logement de service public (SLSP); in Frankrijk: de HLM-organismen.",
    ),
    (
        "logement social",
        "sociale woning / sociale huurwoning",
        "social housing",
        "Logement loué sous conditions de revenus, à un loyer encadré, par un bailleur social : logement HLM en "
        "France, logement public d'une SLSP en Wallonie, « sociale huurwoning » en Flandre (loyer calculé selon "
        "les revenus du ménage).",
        "Woning die een sociale verhuurder onder inkomensvoorwaarden tegen een begrensde huurprijs verhuurt. In "
        "Vlaanderen hangt de huurprijs af van het inkomen; in Frankrijk: HLM-woning; in Wallonië: logement "
        "public van een SLSP.",
    ),
    (
        "garantie locative",
        "huurwaarborg",
        "rental deposit",
        "Somme que le locataire constitue à la signature du bail pour couvrir ses éventuels manquements. En "
        "Belgique, le plus souvent sur un compte bloqué, plafonnée à deux ou trois mois de loyer selon la région "
        "et la formule ; le CPAS peut aider à la constituer. En France, on parle de dépôt de garantie (un mois "
        "de loyer au plus pour un logement vide).",
        "Bedrag dat de huurder bij de ondertekening van het huurcontract stort als zekerheid voor de verhuurder. "
        "In België meestal op een geblokkeerde rekening, begrensd tot twee of drie maanden huur naargelang het "
        "gewest en de formule; het OCMW kan helpen. In Frankrijk: dépôt de garantie (hoogstens één maand huur "
        "voor een ongemeubelde woning).",
    ),
    (
        "revenu d'intégration",
        "leefloon",
        "social integration income (Belgium)",
        "Revenu minimum que le CPAS accorde, sous conditions, aux personnes sans ressources suffisantes, souvent "
        "avec un projet individualisé d'intégration sociale (PIIS). Équivalent français le plus proche : le "
        "revenu de solidarité active (RSA), versé par la CAF ou la MSA pour le département.",
        "Minimuminkomen dat het OCMW onder voorwaarden toekent aan wie onvoldoende bestaansmiddelen heeft, vaak "
        "met een geïndividualiseerd project voor maatschappelijke integratie (GPMI). Franse tegenhanger: het RSA "
        "(revenu de solidarité active), uitbetaald door de CAF of de MSA voor het departement.",
    ),
    (
        "aide à la jeunesse",
        "jeugdhulp",
        "youth care",
        "Aide spécialisée aux jeunes en difficulté ou en danger et à leur famille. En Wallonie et à Bruxelles, "
        "elle relève de la Fédération Wallonie-Bruxelles (SAJ, SPJ) ; en Flandre, la « jeugdhulp » relève de la "
        "Communauté flamande ; en France, l'aide sociale à l'enfance (ASE) relève du département.",
        "Gespecialiseerde hulp aan jongeren in moeilijkheden of in gevaar en aan hun gezin. In Vlaanderen een "
        "bevoegdheid van de Vlaamse Gemeenschap; in Wallonië en Brussel de « aide à la jeunesse » van de Federatie "
        "Wallonië-Brussel (SAJ, SPJ); in Frankrijk de aide sociale à l'enfance (ASE) van het departement.",
    ),
    (
        "agence immobilière sociale / AIS",
        "sociaal verhuurkantoor / SVK",
        "social rental agency",
        "Organisme qui prend en gestion des logements de propriétaires privés pour les louer, moins cher, à des "
        "ménages à revenus modestes, avec des garanties pour le propriétaire (AIS en Wallonie et à Bruxelles). En "
        "Flandre, les « sociale verhuurkantoren » ont rejoint les woonmaatschappijen en 2023. En France, "
        "l'intermédiation locative (agences immobilières à vocation sociale, AIVS) s'en approche.",
        "Organisatie die woningen van private eigenaars huurt of beheert en ze goedkoper verhuurt aan "
        "huishoudens met een laag inkomen, met zekerheden voor de eigenaar. In Vlaanderen sinds 2023 opgegaan in "
        "de woonmaatschappijen; in Wallonië en Brussel: agence immobilière sociale (AIS); in Frankrijk komt de "
        "intermédiation locative (AIVS) het dichtst in de buurt.",
    ),
    (
        "travailleur social",
        "sociaal werker",
        "social worker",
        "Professionnel de l'accompagnement social : assistant de service social, éducateur spécialisé, "
        "conseiller en économie sociale et familiale… En Belgique, le titre d'assistant social est protégé "
        "par la loi.",
        "Professional die mensen begeleidt en ondersteunt in hun sociale situatie: maatschappelijk werker, "
        "maatschappelijk assistent, opvoeder… In België is de titel van maatschappelijk assistent wettelijk "
        "beschermd.",
    ),
    (
        "insalubrité",
        "ongeschiktheid / onbewoonbaarheid",
        "unfitness for habitation",
        "État d'un logement qui met en danger la santé ou la sécurité de ses occupants. En France, elle est "
        "constatée par arrêté (du préfet ou du maire) ; en Wallonie, le bourgmestre peut déclarer un logement "
        "inhabitable ; en Flandre, on distingue le logement « ongeschikt » (qui ne respecte pas les normes de "
        "qualité) et « onbewoonbaar » (dangereux, déclaré par le bourgmestre).",
        "Toestand van een woning die de gezondheid of de veiligheid van de bewoners in gevaar brengt. In "
        "Vlaanderen onderscheidt men een ongeschikte woning (voldoet niet aan de kwaliteitsnormen) en een "
        "onbewoonbare woning (gevaarlijk, verklaard door de burgemeester). In Frankrijk: insalubrité, vastgesteld "
        "bij besluit van de prefect of de burgemeester.",
    ),
    (
        "expulsion",
        "uithuiszetting",
        "eviction",
        "Exécution forcée d'une décision de justice obligeant un occupant à quitter son logement. En Belgique, "
        "le juge de paix décide et le CPAS reçoit une copie de la demande (sauf refus du locataire) pour pouvoir "
        "proposer son aide. En France, la trêve hivernale suspend les expulsions du 1er novembre au 31 mars.",
        "Gedwongen uitvoering van een rechterlijke beslissing waardoor een bewoner zijn woning moet verlaten. In "
        "België beslist de vrederechter; het OCMW krijgt een kopie van het verzoek (tenzij de huurder zich "
        "verzet) om hulp te kunnen aanbieden. In Frankrijk schort de trêve hivernale uithuiszettingen op van 1 "
        "november tot 31 maart.",
    ),
    (
        "bail glissant",
        "glijdende huurovereenkomst",
        "sliding lease",
        "Dispositif français d'intermédiation locative : une association loue le logement et le sous-loue au "
        "ménage qu'elle accompagne ; quand le ménage est prêt, le bail « glisse » à son nom, sans déménagement. "
        "Pas d'équivalent général en Belgique, où les AIS et les sociale verhuurkantoren s'en approchent.",
        "Frans systeem van huurbemiddeling (bail glissant): een vereniging huurt de woning en onderverhuurt ze "
        "aan het huishouden dat ze begeleidt; wanneer het huishouden er klaar voor is, « glijdt » het "
        "huurcontract naar zijn naam, zonder verhuizing. In België bestaat geen algemene tegenhanger; sociale "
        "verhuurkantoren en AIS komen het dichtst in de buurt.",
    ),
)


async def seed_glossary(session: AsyncSession) -> int:
    """Add the field's usual terms that are not in the glossary yet; returns how many were added."""
    known = {_sort_key(text) for text in (await session.scalars(select(GlossaryTerm.term_fr))).all()}
    added = 0
    for term_fr, term_nl, term_en, definition_fr, definition_nl in SEED_TERMS:
        if _sort_key(term_fr) in known:
            continue
        session.add(
            GlossaryTerm(
                term_fr=term_fr,
                term_nl=term_nl,
                term_en=term_en,
                definition_fr=definition_fr,
                definition_nl=definition_nl,
            )
        )
        added += 1
    await session.flush()
    return added
