"""Likely personal data in a recommendation's text, flagged for the author to remove or confirm before publishing.

Social workers write from real situations, so a draft can carry a client's phone number, address or name. The
detector is deliberately conservative on ordinary policy prose (years, amounts, article numbers, law dates,
postcodes, institution names) and favours recall on the shapes personal data takes in French and Belgian
(French and Dutch) writing. It is pure: text in, findings out. Confirmations are stored as fingerprints, which
depend only on the field, the kind and the normalised excerpt, so they survive re-saves of unchanged text.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from babel.support import LazyProxy
from markupsafe import Markup, escape

from workspace.core.i18n import lazy_gettext

KIND_LABELS: dict[str, LazyProxy] = {
    "email": lazy_gettext("an e-mail address"),
    "phone": lazy_gettext("a phone number"),
    "address": lazy_gettext("a street address"),
    "national_number": lazy_gettext("a national register or social security number"),
    "birth_date": lazy_gettext("a date of birth"),
    "person": lazy_gettext("a person's name with an age or situation"),
    "full_name": lazy_gettext("a person's first name and surname"),
}
_KIND_PRIORITY = ("email", "national_number", "birth_date", "phone", "address", "person", "full_name")
"""When findings of different kinds overlap, the earlier kind wins (a national number is not also a phone)."""


@dataclass(frozen=True)
class Finding:
    """A passage of one field that looks like personal data."""

    field: str
    kind: str
    excerpt: str
    """The matched text, exactly as in the source: `text[start:end]`."""
    start: int
    end: int

    @property
    def fingerprint(self) -> str:
        """Stable across re-saves: whitespace, Unicode forms and case are normalised, positions are not used."""
        normalised = " ".join(unicodedata.normalize("NFKC", self.excerpt).split()).casefold()
        return hashlib.sha256(f"{self.field}\x1f{self.kind}\x1f{normalised}".encode()).hexdigest()[:16]


def find_personal_data(fields: Mapping[str, str]) -> list[Finding]:
    """Every finding in every field, in the order the fields are given, then by position; no overlaps."""
    findings: list[Finding] = []
    for field, text in fields.items():
        if text:
            findings.extend(
                Finding(field, kind, text[start:end], start, end) for kind, start, end in _find_in_text(text)
            )
    return findings


def masked(text: str, mark: str = "[…]") -> str:
    """The text with each passage that looks like personal data replaced by `mark`: for texts published
    without anyone reviewing them one by one (the discussion annex of the dossier)."""
    for _kind, start, end in reversed(_find_in_text(text)):
        text = text[:start] + mark + text[end:]
    return text


def highlighted(html_text: str, findings: Iterable[Finding]) -> Markup:
    """Sanitised HTML with each finding's passage marked where it stands (`<mark id="privacy-…">`), in text
    only, its first occurrence; a passage split by markup (emphasis inside it) is left as it is and only
    listed."""
    wanted = {finding.fingerprint: finding.excerpt for finding in findings}
    if not wanted or not html_text:
        return Markup(html_text)  # noqa: S704 - already sanitised by the caller
    out: list[str] = []
    for piece in _TAG_OR_TEXT.split(str(html_text)):
        if not piece or piece.startswith("<"):
            out.append(piece)
            continue
        text = html.unescape(piece)
        marks: list[tuple[int, int, str]] = []
        for fingerprint, excerpt in list(wanted.items()):
            start = text.find(excerpt)
            if start >= 0 and all(start >= end or start + len(excerpt) <= begin for begin, end, _ in marks):
                marks.append((start, start + len(excerpt), fingerprint))
                del wanted[fingerprint]
        position = 0
        for start, end, fingerprint in sorted(marks):
            out.append(str(escape(text[position:start])))
            out.append(f'<mark class="privacy-mark" id="privacy-{fingerprint}">{escape(text[start:end])}</mark>')
            position = end
        out.append(str(escape(text[position:])) if marks else piece)
    return Markup("".join(out))  # noqa: S704 - tags kept as they were, text escaped above


_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")


def texts_to_check(original: Mapping[str, str], translations: Mapping[str, Mapping[str, object]]) -> dict[str, str]:
    """The fields of the original, then each translation's own text under "language:field" (so a passage
    confirmed in the original is asked about again where a translator wrote it anew, and the other way
    round). A translation's field left empty shows the original, already checked."""
    texts = dict(original)
    for language, content in sorted(translations.items()):
        for name, text in content.items():
            if isinstance(text, str) and text and name in original:
                texts[translated_field(language, name)] = text
    return texts


def translated_field(language: str, name: str) -> str:
    return f"{language}:{name}"


def split_field(field: str) -> tuple[str | None, str]:
    """(language, field) of a translation's field; (None, field) for the original's."""
    language, _sep, name = field.rpartition(":")
    return language or None, name


def unconfirmed(findings: Iterable[Finding], confirmed: Iterable[str]) -> list[Finding]:
    """The findings whose fingerprint the authors have not confirmed."""
    confirmed_set = set(confirmed)
    return [finding for finding in findings if finding.fingerprint not in confirmed_set]


# --- Building blocks -------------------------------------------------------------------------------------------

_H = r"[ \t\u00a0\u202f]"  # horizontal space, including the non-breaking spaces of French typography
_UP = r"A-ZÀ-ÖØ-Þ"
_LOW = r"a-zß-öø-ÿ"
_WORD = rf"[{_UP}][{_LOW}]*(?:[-'’][{_UP}{_LOW}][{_LOW}]*)*"
"""A capitalised word: Kevin, Jean-Pierre, D'Hondt, N'Diaye (and single letters, filtered later)."""
_CAPS_WORD = rf"[{_UP}]{{2,}}(?:[-'’][{_UP}]+)*"
"""A surname written in capitals, as French administrative writing does (M. DUPONT)."""
_INITIAL = rf"[{_UP}]\.(?:-[{_UP}]\.)?"
_MARKUP = "*_~`"

_MONTHS = (
    r"janvier|janv|f[ée]vrier|f[ée]vr?|mars|avril|avr|mai|juin|juillet|juil|ao[uû]t|septembre|sept?|octobre|oct"
    r"|novembre|nov|d[ée]cembre|d[ée]c|januari|jan|februari|feb|maart|mrt|april|apr|mei|juni|jun|juli|jul"
    r"|augustus|aug|september|oktober|okt|december|dec"
)
_NUMERIC_DATE = r"(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
_TEXT_DATE = rf"(?P<td>\d{{1,2}})(?:er|e|ste|de)?{_H}+(?P<tm>{_MONTHS})\.?{_H}+(?P<ty>\d{{4}})"
_DATE = re.compile(rf"(?<![\d/.-])(?:{_NUMERIC_DATE}|{_TEXT_DATE})(?![\d])", re.IGNORECASE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Capitalised words that start sentences or name places and groups, never a person in front of an age.
_STOPWORDS = _words(
    """
    le la les l un une des de du d au aux à a ce cet cette ces il elle ils elles on nous vous en dans pour par
    avec sans sur sous entre après apres avant pendant dès des jusqu ici aujourd hui hier demain actuellement
    ensuite enfin ainsi toutefois pourtant cependant donc or mais et ou puis alors selon chaque tout tous toute
    toutes certains certaines plusieurs beaucoup quand lorsque si comme parfois souvent jamais désormais
    auparavant dorénavant également notamment depuis soit voici voilà oui non total moyenne minimum maximum
    limite seuil environ près presque plus moins exemple article art loi décret arrêté annexe chapitre section
    titre point tableau figure note source âge age durée jeunes jeune enfants enfant adultes adulte mineurs
    mineur majeurs bénéficiaires personnes personne familles famille ménages parents femmes hommes filles
    garçons étudiants demandeurs allocataires usagers locataires cpas ocmw france belgique wallonie flandre
    bruxelles europe hainaut nord
    de het een die dat deze dit sinds vanaf vanuit tot tussen na voor bij met zonder over onder in op aan uit
    naar door om volgens sommige sommigen veel alle elke ieder iedere hij zij ze wij we jullie men er hier daar
    nu toen dan ook maar en of dus echter bovendien daarna vandaag gisteren morgen momenteel jongeren jongere
    kinderen kind volwassenen volwassene minderjarigen meerderjarigen leeftijd duur totaal gemiddeld
    gemiddelde grens ongeveer bijna meer minder ja nee voorbeeld artikel wet decreet besluit bijlage
    hoofdstuk afdeling titel punt tabel bron opmerking gezinnen ouders vrouwen mannen meisjes jongens
    studenten huurders cliënten vlaming vlamingen belg belgen fransman waal brusselaar belgië vlaanderen
    wallonië brussel frankrijk nederland europa
    contrat garantie dispositif programme projet revenu allocation prime aide accompagnement parcours
    groeipakket leefloon premie toelage uitkering traject project begeleiding
    """
)
# What follows a title without being a person: "Madame la Ministre", "meneer de Burgemeester".
_ROLES = _words(
    """
    maire président présidente ministre directeur directrice juge préfet préfète procureur procureure député
    députée sénateur sénatrice gouverneur bourgmestre échevin échevine conseiller conseillère secrétaire
    commissaire professeur docteur médecin avocat avocate recteur rectrice
    minister burgemeester schepen voorzitter rechter secretaris commissaris staatssecretaris advocaat
    professor dokter directie rector
    tout-le-monde untel unetelle x y z
    """
)
# Words in front of a capitalised word that make it a place, not a person: "à Mons, 18 ans plus tard".
_PLACE_PREPOSITIONS = _words("à en au aux vers in te uit naar")
_TITLE_WORDS = _words(
    "monsieur madame mademoiselle mevrouw meneer mijnheer juffrouw docteur dokter mme mlle mr dr dhr mevr mw"
)
_SKIPPED_BEFORE_NAME = _STOPWORDS | _TITLE_WORDS


# --- Patterns --------------------------------------------------------------------------------------------------

_ALNUM = r"[^\W_]"
"""A letter or digit: `_` is markdown emphasis here, so it may touch a match (`_Kevin_, 19 ans`)."""
_EMAIL = re.compile(
    rf"(?<!{_ALNUM})(?<![.+-]){_ALNUM}(?:[\w.+'-]*{_ALNUM})?@(?:{_ALNUM}(?:[\w-]*{_ALNUM})?\.)+[A-Za-z]{{2,24}}(?!{_ALNUM})"
)

_PHONE_START = r"(?<![^\W_])(?<!\+)(?<!\d[.,/-])(?<!\d )"
_PHONE_END = r"(?![.,/-]?\d)"
_PHONES = (
    # French national: 06 12 34 56 78, 06.12.34.56.78, 0612345678 (one separator style throughout).
    re.compile(rf"{_PHONE_START}0[1-9](?P<s>[ .\-\u00a0\u202f]?)\d{{2}}(?:(?P=s)\d{{2}}){{3}}{_PHONE_END}"),
    # Belgian mobile: 0470 12 34 56, 0470/123.456, 0470123456.
    re.compile(
        rf"{_PHONE_START}04[5-9]\d(?:[ ./\-\u00a0]?\d{{2}}[ .\-\u00a0]?\d{{2}}[ .\-\u00a0]?\d{{2}}"
        rf"|[ ./\-\u00a0]?\d{{3}}[ .\-\u00a0]?\d{{3}}){_PHONE_END}"
    ),
    # Belgian landline, one-digit zone: 02 123 45 67, 02/123.45.67.
    re.compile(rf"{_PHONE_START}0[2-9][ ./\-\u00a0]?\d{{3}}[ .\-\u00a0]?\d{{2}}[ .\-\u00a0]?\d{{2}}{_PHONE_END}"),
    # Belgian landline, two-digit zone: 065/12.34.56, 056 12 34 56.
    re.compile(rf"{_PHONE_START}0[1-9]\d[ ./\-\u00a0]?\d{{2}}[ .\-\u00a0]?\d{{2}}[ .\-\u00a0]?\d{{2}}{_PHONE_END}"),
    # International: +33 6 12 34 56 78, 0033 6…, +32 470 12 34 56, +32 (0)2 123 45 67, other +CC numbers.
    re.compile(
        r"(?<![^\W_])(?<!\+)(?:\+[ \u00a0]?[1-9]\d{0,2}|00[ \u00a0]?(?:33|32|31|352|49|44))[ .\u00a0]?"
        rf"(?:\(0\)[ .\u00a0]?)?[1-9](?:[ ./\-\u00a0]?\d){{7,10}}{_PHONE_END}"
    ),
)

_BE_REGISTER = re.compile(
    r"(?<![^\W_])(?<![.,/-])(?<!\d )\d{2}[. ]?\d{2}[. ]?\d{2}[- .\u00a0]?\d{3}[. \u00a0]?\d{2}(?![^\W_]|[.,/-]\d)"
)
_BE_REGISTER_FORMATTED = re.compile(r"\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}")
_FR_NIR = re.compile(
    r"(?<![^\W_])(?<![.,/-])(?<!\d )[12][ .\u00a0]?\d{2}[ .\u00a0]?\d{2}[ .\u00a0]?(?:\d{2}|2[ABab])"
    r"[ .\u00a0]?\d{3}[ .\u00a0]?\d{3}(?:[ .\u00a0]?(?P<key>\d{2}))?(?![^\W_]|[.,/-]\d)"
)

_BIRTH_CUE = re.compile(
    rf"(?<!\w)(?:née?|né\(e\))(?:{_H}+(?:le|en|à|a|au|aux|dans|in)(?!\w)|{_H}*[:(,])"
    r"|(?<!\w)(?:geboren|geb\.|date\s+de\s+naissance|geboortedatum|ddn)(?!\w)",
    re.IGNORECASE,
)
_BIRTH_WINDOW = 40
_NOT_BORN_ON = re.compile(
    r"[.!?;](?:\s|$)|\b(?:na|vanaf|voor|vóór|sinds|tussen|tot|après|avant|partir|depuis|entre|jusqu)\b",
    re.IGNORECASE,
)
"""Between a birth cue and a date, these make the date a limit, not a birthday: "kinderen geboren na 1 januari
2019", "tout enfant né à partir du 1er janvier 2019". A sentence end breaks the link too, as does another number
("né en 2016, renforcé par la loi du 8 juillet 1976", checked separately)."""
_DEGREE_BIRTH = re.compile(rf"(?<![\w°])°{_H}*[{_MARKUP}]*(?=\d)")
_YEAR = re.compile(r"(?:19|20)\d{2}(?!\d)")

_HOUSE_NUMBER = (
    r"(?!(?:19|20)\d{2}(?!\d))[1-9]\d{0,3}(?!\d)(?![,.]\d)"
    r"(?:[A-Za-z](?![^\W_])|[ \u00a0](?:bis|ter|quater)(?![^\W_])|[ \u00a0][A-H](?![^\W_]))?"
    r"(?:[ \u00a0,]*(?:bus|bte|boîte|boite|b\.|/)[ \u00a0]?\d{1,4}[A-Za-z]?(?![^\W_]))?"
)
_NOT_A_QUANTITY = (
    rf"(?!{_H}*(?:%|€|euros?\b|eur\b|ans?\b|jaar\b|jaren\b|mois\b|maanden\b|jours\b|dagen\b|heures\b|uur\b"
    r"|km\b|m²|m2\b|personnes\b|personen\b|places\b|plaatsen\b|x\b|fois\b|keer\b))"
)
_FR_STREET_WORDS = (
    "rue",
    "avenue",
    "av.",
    "boulevard",
    "bd",
    "bld",
    "place",
    "chemin",
    "allée",
    "allee",
    "impasse",
    "route",
    "quai",
    "cours",
    "square",
    "chaussée",
    "chaussee",
    "passage",
    "cité",
    "cite",
    "résidence",
    "residence",
    "sentier",
    "clos",
    "rond-point",
    "faubourg",
    "drève",
    "dreve",
    "venelle",
    "esplanade",
    "parvis",
    "ruelle",
    "hameau",
    "lotissement",
    "lieu-dit",
    "montée",
    "montee",
    "traverse",
)
_FR_STREET_TYPE = "(?i:" + "|".join(re.escape(word) for word in _FR_STREET_WORDS) + ")"
_PARTICLE = r"(?:(?i:[dl]['’])|(?i:de|du|des|la|le|les|aux|au|sous|sur|lès|lez)" + _H + "+)"
_STOP_ALTERNATION = "|".join(sorted((re.escape(word) for word in _STOPWORDS), key=len, reverse=True))
_NOT_STOPWORD = rf"(?!(?i:{_STOP_ALTERNATION})(?![\w'’-]))"
_STREET_DATE = rf"\d{{1,2}}(?:er)?{_H}+(?i:{_MONTHS}){_H}+\d{{4}}"
_STREET_NAME = (
    rf"{_PARTICLE}*(?:{_WORD}|{_STREET_DATE})"
    rf"(?:{_H}+(?:{_PARTICLE}+(?:{_WORD}|{_STREET_DATE})|{_NOT_STOPWORD}{_WORD})){{0,4}}"
)
_NL_SUFFIX = r"straat|laan|lei|plein|plaats|steenweg|weg|dreef|kaai|kade|markt|dijk|singel|gracht|baan|hof|vest|wegel"
_NL_STANDALONE = r"Markt|Plein|Straat|Laan|Dreef|Kaai|Kade|Steenweg|Weg|Lei|Vest|Dijk|Singel|Gracht"
_NL_LEAD = rf"{_NOT_STOPWORD}[{_UP}][{_LOW}][\w'’.-]*"
_NUMBER_MARK = r"(?:(?i:nr\.?|n°|no\.?|num[ée]ro|nummer)" + _H + "*)?"
_ADDRESSES = (
    # French: 12 rue des Lilas, 3 bis avenue Jean Jaurès, 12, rue du 8 Mai 1945.
    re.compile(
        rf"(?<![^\W_])(?<![.,/-])(?<!\d )(?!(?:19|20)\d{{2}}(?!\d))[1-9]\d{{0,3}}"
        rf"(?:{_H}?(?:bis|ter|quater|[A-Da-d])(?!\w))?,?{_H}+{_FR_STREET_TYPE}{_H}+{_STREET_NAME}"
    ),
    # Belgian French: rue de la Station 15, chaussée de Mons 120, place du Marché 4, avenue Louise 54 bte 3.
    re.compile(
        rf"(?<![^\W_])(?<!-){_FR_STREET_TYPE}{_H}+{_STREET_NAME},?{_H}+{_NUMBER_MARK}{_HOUSE_NUMBER}{_NOT_A_QUANTITY}"
    ),
    # Dutch: Kerkstraat 12, Koning Albertlaan 45, Grote Markt 5, Stationsplein 3 bus 2, Brugsesteenweg 210.
    re.compile(
        rf"(?<![^\W_])(?<![-'’])(?:(?:{_NL_LEAD}{_H}+){{0,2}}[{_UP}][\w'’-]*?(?:{_NL_SUFFIX})"
        rf"|(?:{_NL_LEAD}{_H}+){{1,2}}(?:{_NL_STANDALONE})),?{_H}+{_NUMBER_MARK}{_HOUSE_NUMBER}{_NOT_A_QUANTITY}"
    ),
)

_TITLE = (
    r"(?:M\.|MM\.|Mr\.?|Mme\.?|Mmes\.?|Mlle\.?|Mlles\.?|Dr\.?|Dhr\.?|Mevr\.?|Mw\.?"
    r"|(?i:monsieur|madame|mademoiselle|mevrouw|meneer|mijnheer|juffrouw|de\s+heer|docteur|dokter))"
)
_NAME_PARTICLE = r"(?:(?i:van(?:\s+(?:de[nr]?|der|ter|het))?|de(?:\s+la)?|du|des|le|la|ter|von|di|da|del|d['’]))"
_TITLED_PERSON = re.compile(
    rf"(?<![^\W_])(?P<title>{_TITLE}){_H}+(?P<name>(?:{_NAME_PARTICLE}{_H}+)?(?:{_CAPS_WORD}|{_WORD})"
    rf"(?:{_H}+(?:(?:{_NAME_PARTICLE}{_H}+|{_NOT_STOPWORD})(?:{_CAPS_WORD}|{_WORD})(?![^\W_]|['’])|{_INITIAL})){{0,2}})"
)
_AGE_UNIT = r"(?:ans?|jaar|mois|maanden)"
_AGE_PREFIX = rf"(?:(?i:[âa]g[ée]e?s?{_H}+de|bijna|pas{_H}+encore|bient[ôo]t){_H}+)?"
_NOT_AN_AGE_PHRASE = (
    rf"(?!{_H}+(?i:de\b|d['’]|du\b|des\b|apr[èe]s|plus\b|auparavant|avant|lang\b|geleden|later"
    r"|eerder|na\b|van\b|en\s+(?:ouder|meer|plus)|et\s+plus|ou\s+plus|minimum|maximum|r[ée]volus|au\s+moins"
    r"|[àa]\s+peine|of\s+ouder|of\s+meer))"
)
_NAMED_AGE = re.compile(
    rf"(?<![^\W_])(?<![-'’])(?P<name>{_WORD}(?:{_H}+(?:{_WORD}|{_INITIAL})){{0,2}})[{_MARKUP}]*"
    rf"(?:{_H}*\({_H}*{_AGE_PREFIX}(?P<age1>\d{{1,3}}){_H}*{_AGE_UNIT}{_H}*\)"
    rf"|{_H}*(?:,|{_H}[-–—]){_H}*{_AGE_PREFIX}(?P<age2>\d{{1,3}}){_H}*{_AGE_UNIT}(?!\w){_NOT_AN_AGE_PHRASE})"
)
_FULL_NAME = re.compile(
    rf"(?<![^\W_])(?<![-'’])(?P<first>{_WORD})(?:{_H}+(?!{_NAME_PARTICLE}{_H})(?P<middle>{_WORD}))?{_H}+"
    rf"(?P<surname>(?:{_NAME_PARTICLE}{_H}+)?(?:{_CAPS_WORD}|{_WORD}))(?![^\W_]|['’-])"
)
_SURNAME_FIRST = re.compile(rf"(?<![^\W_])(?P<surname>{_CAPS_WORD}){_H}+(?P<first>{_WORD})(?![^\W_]|['’-])")
_NOT_A_PERSON_AFTER = _words(
    """
    école ecole lycée lycee collège college institut centre fondation hôpital hopital clinique université
    universite maison prix salle athénée athenee campus stade gare pont parc quartier espace résidence residence
    foyer complexe square cité cite musée musee bibliothèque bibliotheque médiathèque mediatheque
    school instituut ziekenhuis stichting centrum zaal huis prijs hogeschool universiteit atheneum museum
    bibliotheek park station wijk campus
    """
) | _words(" ".join(_FR_STREET_WORDS))
"""Words in front of a name that make it a place or an institution named after someone: "lycée Victor Hugo"."""
_NOT_A_SURNAME = _STOPWORDS | _ROLES | _words(_MONTHS.replace("|", " ").replace("[ée]", "e").replace("[uû]", "u"))


@cache
def _first_names() -> frozenset[str]:
    """First names given in France, Belgium (French- and Dutch-speaking) and the Netherlands, from Faker's person
    providers (the Belgian lists are Statbel's), case-folded; a well-kept list rather than one of our own."""
    from faker.providers.person import fr_BE, fr_FR, nl_BE, nl_NL

    names: set[str] = set()
    for module in (fr_FR, fr_BE, nl_BE, nl_NL):
        for attribute in ("first_names", "first_names_male", "first_names_female"):
            names.update(str(name).casefold() for name in getattr(module.Provider, attribute, ()))
    return frozenset(names - _STOPWORDS - _ROLES)


def _is_first_name(word: str) -> bool:
    folded = word.casefold()
    return folded in _first_names() or ("-" in folded and all(part in _first_names() for part in folded.split("-")))


def _is_surname(word: str) -> bool:
    last = word.split()[-1]
    folded = last.casefold()
    return len(folded) > 1 and folded not in _NOT_A_SURNAME and not folded.endswith(tuple(_NL_SUFFIX.split("|")))


def _named_place_before(text: str, start: int) -> bool:
    previous = re.search(r"([\w.-]+)\W*$", text[max(0, start - 30) : start])
    return previous is not None and previous.group(1).casefold() in _NOT_A_PERSON_AFTER


def _full_names(text: str) -> Iterable[tuple[int, int]]:
    """A first name and a surname, with no title or age around them ("Sa référente, Sylvie Dupont, nous a
    alertés"), or a surname in capitals and a first name (DUPONT Sylvie). Streets, schools and buildings named
    after someone ("rue Victor Hugo", "lycée Jean Jaurès") are not people."""
    for match in _each_start(_FULL_NAME, text):
        first, middle, surname = match.group("first", "middle", "surname")
        if not _is_first_name(first) or _named_place_before(text, match.start()):
            continue
        if middle is not None and not _is_first_name(middle) and _is_surname(middle) and not _is_surname(surname):
            yield match.start(), match.end("middle")
        elif _is_surname(surname) and (middle is None or _is_first_name(middle) or _is_surname(middle)):
            yield match.span()
    for match in _each_start(_SURNAME_FIRST, text):
        if _is_first_name(match.group("first")) and _is_surname(match.group("surname")):
            yield match.span()


def _each_start(pattern: re.Pattern[str], text: str) -> Iterable[re.Match[str]]:
    """Matches starting at every word, not only after the previous match: "Selon Kevin Dubois" is tried
    as "Selon Kevin…" and then as "Kevin Dubois"."""
    position = 0
    while (match := pattern.search(text, position)) is not None:
        yield match
        position = match.start() + max(1, len(match.group().split()[0]))


_AGED_NAME = re.compile(rf"(?<![^\W_])(?<!-)(?P<age>\d{{1,3}})-jarige{_H}+(?P<name>{_WORD}(?:{_H}+{_WORD})?)")

_Span = tuple[str, int, int]


# --- Detection -------------------------------------------------------------------------------------------------


def _find_in_text(text: str, *, gated: bool = True) -> list[_Span]:
    """`gated=False` runs every finder on every text: what the gates must never change (tested)."""
    candidates: list[_Span] = []
    for kind, finder in _FINDERS:
        gate = _GATES.get(finder)
        if not gated or gate is None or gate(text):
            candidates.extend((kind, start, end) for start, end in finder(text))
    trimmed = [span for span in (_trim(text, *candidate) for candidate in candidates) if span[1] < span[2]]
    return sorted(_merge_same_kind(_without_overlaps(trimmed)), key=lambda span: (span[1], span[2]))


def _trim(text: str, kind: str, start: int, end: int) -> _Span:
    """Excerpts are the plain text: markdown markers and spaces at the edges stay out."""
    while start < end and (text[start].isspace() or text[start] in _MARKUP):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _MARKUP):
        end -= 1
    return kind, start, end


def _merge_same_kind(spans: list[_Span]) -> list[_Span]:
    """Overlapping findings of one kind become one ("Madame Leroy" and "Leroy, 45 ans")."""
    merged: list[_Span] = []
    for kind, start, end in sorted(spans, key=lambda span: (span[0], span[1], -span[2])):
        if merged and merged[-1][0] == kind and start < merged[-1][2]:
            merged[-1] = (kind, merged[-1][1], max(end, merged[-1][2]))
        else:
            merged.append((kind, start, end))
    return merged


def _without_overlaps(spans: list[_Span]) -> list[_Span]:
    """A candidate overlapping one of a stronger kind is dropped; overlaps within a kind are merged afterwards."""
    kept: list[_Span] = []
    for span in sorted(spans, key=lambda span: (_KIND_PRIORITY.index(span[0]), span[1] - span[2], span[1])):
        if all(other[0] == span[0] or span[2] <= other[1] or other[2] <= span[1] for other in kept):
            kept.append(span)
    return kept


def _emails(text: str) -> Iterable[tuple[int, int]]:
    return (match.span() for match in _EMAIL.finditer(text))


def _phones(text: str) -> Iterable[tuple[int, int]]:
    for pattern in _PHONES:
        yield from (match.span() for match in pattern.finditer(text))


def _national_numbers(text: str) -> Iterable[tuple[int, int]]:
    for match in _BE_REGISTER.finditer(text):
        if _BE_REGISTER_FORMATTED.fullmatch(match.group()) or _valid_be_register(match.group()):
            yield match.span()
    for match in _FR_NIR.finditer(text):
        if match.group("key") is None or _valid_nir_key(match.group()):
            yield match.span()


def _compact(value: str) -> str:
    return "".join(character for character in value if character.isalnum()).upper()


def _valid_be_register(value: str) -> bool:
    """Mod-97 check of the Belgian national register number; births from 2000 on are checked with a leading 2."""
    digits = _compact(value)
    body, check = int(digits[:9]), int(digits[9:])
    return check in (97 - body % 97, 97 - (2_000_000_000 + body) % 97)


def _valid_nir_key(value: str) -> bool:
    """French NIR key: 97 - (the 13 digits mod 97), Corsica's 2A and 2B counted as 19 and 18."""
    characters = _compact(value)
    body = characters[:13].replace("2A", "19").replace("2B", "18")
    return int(characters[13:]) == 97 - int(body) % 97


def _valid_date(match: re.Match[str]) -> bool:
    if match.group("d") is not None:
        day, month = int(match.group("d")), int(match.group("m"))
        year = match.group("y")
    else:
        day, month, year = int(match.group("td")), 1, match.group("ty")
    return 1 <= day <= 31 and 1 <= month <= 12 and (len(year) == 2 or 1900 <= int(year) <= 2099)


def _birth_dates(text: str) -> Iterable[tuple[int, int]]:
    for cue in _BIRTH_CUE.finditer(text):
        window = text[cue.end() : cue.end() + _BIRTH_WINDOW + 30]
        date = _DATE.search(window)
        if date is None or date.start() > _BIRTH_WINDOW or not _valid_date(date):
            continue
        between = window[: date.start()]
        if any(character.isdigit() for character in between) or _NOT_BORN_ON.search(between):
            continue
        yield cue.end() + date.start(), cue.end() + date.end()
    for degree in _DEGREE_BIRTH.finditer(text):
        date = _DATE.match(text, degree.end())
        if date is not None and _valid_date(date):
            yield date.span()
            continue
        year = _YEAR.match(text, degree.end())
        if year is not None:
            yield year.span()


def _french_addresses(text: str) -> Iterable[tuple[int, int]]:
    for pattern in _ADDRESSES[:2]:
        yield from (match.span() for match in pattern.finditer(text))


def _dutch_addresses(text: str) -> Iterable[tuple[int, int]]:
    yield from (match.span() for match in _ADDRESSES[2].finditer(text))


def _persons(text: str) -> Iterable[tuple[int, int]]:
    for match in _TITLED_PERSON.finditer(text):
        tokens = match.group("name").split()
        significant = [token for token in tokens if not re.fullmatch(_NAME_PARTICLE, token)]
        first = significant[0].casefold() if significant else ""
        if first and first not in _ROLES and first not in _STOPWORDS and len(first.strip(".")) > 1:
            yield match.span()
    for match in _NAMED_AGE.finditer(text):
        age = int(match.group("age1") or match.group("age2"))
        start = _person_name_start(text, match.start("name"), match.end("name"))
        if start is not None and age <= 110:
            yield start, match.end()
    for match in _AGED_NAME.finditer(text):
        name = match.group("name").split()[0].casefold()
        if int(match.group("age")) <= 110 and name not in _STOPWORDS and len(name) > 1:
            yield match.span()


def _person_name_start(text: str, start: int, end: int) -> int | None:
    """Where the name really starts once sentence starters are dropped ("Selon Kevin" is Kevin), or None.

    None when nothing name-like is left, when the rest still holds a common word ("Contrat Engagement Jeune
    (18 ans)"), when the name is a single letter ("X, 45 ans" is already anonymised) or when a preposition
    makes it a place ("à Mons, 18 ans plus tard").
    """
    tokens = list(re.finditer(r"\S+", text[start:end]))
    while tokens and tokens[0].group().casefold() in _SKIPPED_BEFORE_NAME:
        tokens.pop(0)
    if not tokens or len(tokens[0].group().strip(".")) < 2:
        return None
    if any(
        token.group().casefold() in _STOPWORDS and not re.fullmatch(_NAME_PARTICLE, token.group()) for token in tokens
    ):
        return None
    name_start = start + tokens[0].start()
    previous = re.search(r"(\w+)\W*$", text[max(0, name_start - 30) : name_start])
    if previous is not None and previous.group(1).casefold() in _PLACE_PREPOSITIONS:
        return None
    return name_start


_FINDERS: tuple[tuple[str, Callable[[str], Iterable[tuple[int, int]]]], ...] = (
    ("email", _emails),
    ("phone", _phones),
    ("national_number", _national_numbers),
    ("birth_date", _birth_dates),
    ("address", _french_addresses),
    ("address", _dutch_addresses),
    ("person", _persons),
    ("full_name", _full_names),
)


_NL_STREET_WORDS = (*_NL_SUFFIX.split("|"), *_NL_STANDALONE.split("|"))
assert all(re.fullmatch(r"[A-Za-z]+", word) for word in _NL_STREET_WORDS), "plain words, searched as substrings"
_AS_THE_PATTERNS_FOLD = str.maketrans({"ı": "i", "ſ": "s", "\u0307": None})
"""`str.lower` and the patterns' `(?i:)` agree on every letter of the street words but these: the dotless ı and
the long ſ match i and s in the patterns, and İ lowers to i plus a combining dot."""
_DIGIT = re.compile(r"\d")


def _has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


def _has_french_street(text: str) -> bool:
    folded = text.lower().translate(_AS_THE_PATTERNS_FOLD)
    return _has_digit(text) and any(word in folded for word in _FR_STREET_WORDS)


def _has_dutch_street(text: str) -> bool:
    return _has_digit(text) and any(word in text for word in _NL_STREET_WORDS)


_GATES: dict[Callable[[str], Iterable[tuple[int, int]]], Callable[[str], bool]] = {
    _emails: lambda text: "@" in text,
    _phones: _has_digit,
    _national_numbers: _has_digit,
    _birth_dates: _has_digit,
    _french_addresses: _has_french_street,
    _dutch_addresses: _has_dutch_street,
}
"""What a text must hold for a finder to find anything in it (an @, a digit, a street word and a number):
cheap checks that spare most texts the patterns, the address ones above all (the slowest by far)."""
