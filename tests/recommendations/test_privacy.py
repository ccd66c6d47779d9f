"""Likely personal data in a recommendation is flagged; ordinary policy prose is not. Pure functions, no database."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from workspace.recommendations import privacy
from workspace.recommendations.privacy import KIND_LABELS, Finding, find_personal_data, unconfirmed

POSITIVES = [
    # e-mail addresses
    ("email", "Écrire à jean.dupont@gmail.com pour le suivi.", "jean.dupont@gmail.com"),
    ("email", "Contact : **kevin_d@hotmail.fr**", "kevin_d@hotmail.fr"),
    ("email", "Mail naar lotte.peeters@telenet.be voor meer info.", "lotte.peeters@telenet.be"),
    ("email", "Voir [son message](mailto:s.martin@cpas-mons.be).", "s.martin@cpas-mons.be"),
    ("email", "Zijn adres is jan+ocmw@proximus.be.", "jan+ocmw@proximus.be"),
    ("email", "Adresse : Jean.Dupont@Gmail.COM", "Jean.Dupont@Gmail.COM"),
    # phone numbers, French and Belgian
    ("phone", "Appeler Kevin au 06 12 34 56 78 le matin.", "06 12 34 56 78"),
    ("phone", "Tél. 06.12.34.56.78", "06.12.34.56.78"),
    ("phone", "Son numéro : 0612345678.", "0612345678"),
    ("phone", "Joignable au +33 6 12 34 56 78.", "+33 6 12 34 56 78"),
    ("phone", "Joignable au 0033 6 12 34 56 78.", "0033 6 12 34 56 78"),
    ("phone", "Bel haar op 0470 12 34 56.", "0470 12 34 56"),
    ("phone", "gsm: 0470/12.34.56", "0470/12.34.56"),
    ("phone", "Zijn vaste nummer is 02 123 45 67.", "02 123 45 67"),
    ("phone", "Téléphone fixe : 065/12.34.56", "065/12.34.56"),
    ("phone", "Bereikbaar op +32 470 12 34 56.", "+32 470 12 34 56"),
    ("phone", "Bereikbaar op 0032 470 12 34 56.", "0032 470 12 34 56"),
    ("phone", "Tél 06\u00a012\u00a034\u00a056\u00a078 après 17 h.", "06\u00a012\u00a034\u00a056\u00a078"),
    # street addresses
    ("address", "Il habite au 12 rue des Lilas à Lille.", "12 rue des Lilas"),
    ("address", "Elle vit 3 bis avenue Jean Jaurès depuis mars.", "3 bis avenue Jean Jaurès"),
    ("address", "Rendez-vous place du Marché 4.", "place du Marché 4"),
    ("address", "Domicile : rue de la Station 15, 7000 Mons.", "rue de la Station 15"),
    ("address", "Il loge chaussée de Mons 120 à Charleroi.", "chaussée de Mons 120"),
    ("address", "Hij woont in de Kerkstraat 12 in Kortrijk.", "Kerkstraat 12"),
    ("address", "Afspraak op de Grote Markt 5.", "Grote Markt 5"),
    ("address", "Ze slaapt bij een vriendin, Stationsplein 3 bus 2, 8500 Kortrijk.", "Stationsplein 3 bus 2"),
    ("address", "Zijn moeder woont Koning Albertlaan 45.", "Koning Albertlaan 45"),
    ("address", "Het gezin huurt een studio aan de Brugsesteenweg 210.", "Brugsesteenweg 210"),
    ("address", "Elle loue un studio avenue Louise 54 bte 3.", "avenue Louise 54 bte 3"),
    # national register and social security numbers
    ("national_number", "Rijksregisternummer 85.07.30-033.28", "85.07.30-033.28"),
    ("national_number", "Numéro national : 85.07.30-033.61 (à vérifier).", "85.07.30-033.61"),
    ("national_number", "NN 85073003328", "85073003328"),
    ("national_number", "Rijksregisternummer van de baby: 01031545638", "01031545638"),
    ("national_number", "Numéro de sécurité sociale : 1 85 05 78 006 084 91", "1 85 05 78 006 084 91"),
    ("national_number", "NIR 185057800608491", "185057800608491"),
    ("national_number", "Sécu : 2 98 12 2A 123 456 40", "2 98 12 2A 123 456 40"),
    ("national_number", "Sécu sans clé : 2 98 12 59 123 456", "2 98 12 59 123 456"),
    # dates of birth
    ("birth_date", "Elle est née le 12/03/1998 à Lille.", "12/03/1998"),
    ("birth_date", "Née à Mons le 12 mars 1998, elle a quitté l'école.", "12 mars 1998"),
    ("birth_date", "Date de naissance : 03-01-2001", "03-01-2001"),
    ("birth_date", "Hij is geboren op 3 januari 2001.", "3 januari 2001"),
    ("birth_date", "Geboortedatum: 12.03.1998", "12.03.1998"),
    ("birth_date", "Jan (° 12/03/1998) woont alleen.", "12/03/1998"),
    ("birth_date", "Lotte (°2003) zit in een instelling.", "2003"),
    ("birth_date", "Il est né le 1er janvier 2005 en Syrie.", "1er janvier 2005"),
    # persons: a title and a name, or a first name and an age
    ("person", "M. Dupont est venu au CPAS.", "M. Dupont"),
    ("person", "Mme Martin a appelé deux fois.", "Mme Martin"),
    ("person", "Monsieur Kevin D. vit à la rue.", "Monsieur Kevin D."),
    ("person", "Mevrouw Peeters kwam langs.", "Mevrouw Peeters"),
    ("person", "Daarna belde meneer Janssens.", "meneer Janssens"),
    ("person", "Dhr. Claes is werkloos.", "Dhr. Claes"),
    ("person", "Mevr. Wouters heeft schulden.", "Mevr. Wouters"),
    ("person", "Madame Leroy, 45 ans, est seule.", "Madame Leroy, 45 ans"),
    ("person", "Kevin, 19 ans, a quitté l'aide à la jeunesse.", "Kevin, 19 ans"),
    ("person", "Sarah (17 ans) est enceinte.", "Sarah (17 ans)"),
    ("person", "Une jeune femme, Sarah, 19 ans, vit seule.", "Sarah, 19 ans"),
    ("person", "Jan, 23 jaar, woont op straat.", "Jan, 23 jaar"),
    ("person", "Lotte (16 jaar) zit in een instelling.", "Lotte (16 jaar)"),
    ("person", "Pieter De Smet (34 jaar) verloor zijn job.", "Pieter De Smet (34 jaar)"),
    ("person", "De 19-jarige Kevin kreeg geen leefloon.", "19-jarige Kevin"),
    ("person", "Selon Kevin, 19 ans, rien ne va.", "Kevin, 19 ans"),
    # full names: a known first name and a surname, with nothing else around them
    ("full_name", "Sa référente, Sylvie Dupont, nous a alertés.", "Sylvie Dupont"),
    ("full_name", "Selon Kevin Dubois, rien n'a bougé.", "Kevin Dubois"),
    ("full_name", "Le dossier de DUPONT Sylvie est bloqué.", "DUPONT Sylvie"),
    ("full_name", "Marie-Claire Lefebvre-Durand suit la famille.", "Marie-Claire Lefebvre-Durand"),
    ("full_name", "Haar begeleider, Jan De Smet, belde ons.", "Jan De Smet"),
    ("full_name", "Volgens Lotte Van der Linden is er geen plaats.", "Lotte Van der Linden"),
    ("full_name", "Op 12 mei zag Bart Claeys hem nog.", "Bart Claeys"),
]

NEGATIVES = [
    "Les CPAS du Hainaut accordent une garantie locative de deux mois.",
    "Sinds 2012 kent het OCMW Kortrijk een huurwaarborg toe.",
    "Le jeune doit suivre 20 heures de formation par semaine.",
    "La prime s'élève à 1 200 € par an, soit 8,5 % du revenu.",
    "Selon l'article 23 de la loi du 8 juillet 1976 organique des CPAS, chacun a droit à l'aide sociale.",
    "En 2023, 59000 Lille et 7000 Mons comptaient 1 245 bénéficiaires.",
    "La Mission locale de Maubeuge accompagne 1 800 jeunes de 16 à 25 ans.",
    "Le CPAS de Mons a accordé 312 garanties en 2022.",
    "De Provincie West-Vlaanderen investeert 2,5 miljoen euro.",
    "Jongeren tussen 18 en 25 jaar krijgen een leefloon van 1 263,17 euro per maand.",
    "Volgens artikel 14 van de wet van 26 mei 2002 heeft iedereen recht op maatschappelijke integratie.",
    "Une jeune femme de 19 ans s'est vu refuser la garantie.",
    "Een jonge vrouw van 19 jaar kreeg geen huurwaarborg.",
    "Depuis le 1er janvier 2024, le RSA est conditionné à 15 heures d'activité.",
    "In Vlaanderen, 18 jaar is de leeftijd waarop de jeugdhulp stopt.",
    "En Wallonie, 25 ans est l'âge limite pour le PIIS.",
    "Jeunes (18 ans et plus) : accès au revenu d'intégration.",
    "Jongeren (18 jaar of ouder) hebben recht op een leefloon.",
    "Bruxelles, 25 ans après la réforme, rien n'a changé.",
    "Le dispositif, né en 2016, a été renforcé par la loi du 8 juillet 1976.",
    "Le droit né de la loi du 26 mai 2002 reste théorique.",
    "Kinderen geboren na 1 januari 2019 krijgen het Groeipakket.",
    "Tout enfant né à partir du 1er janvier 2019 reçoit la prime de naissance.",
    "Les jeunes nés en 2005 et après peuvent en bénéficier.",
    "Madame la Ministre, Monsieur le Président, nous demandons une réforme.",
    "Mevrouw de Minister heeft op 12 maart 2023 een decreet aangekondigd.",
    "Monsieur ou Madame, vos droits sont protégés.",
    "Le décret du 14 mars 2019 prévoit 3 places par commune.",
    "De huurwaarborg bedraagt maximaal 3 maanden huur, of 2 100 euro.",
    "La rue reste le premier lieu de vie pour 4 jeunes sur 10.",
    "Le CPAS de Mons (rue de Bertaimont) reçoit sans rendez-vous.",
    "Het OCMW in de Kerkstraat ontvangt iedereen zonder afspraak.",
    "Le Plan de cohésion sociale 2020-2025 finance 262 communes.",
    "Het Vlaams Agentschap Opgroeien begeleidde 2 450 jongeren in 2022.",
    "Het OCMW Gent, het OCMW Antwerpen en het OCMW Brugge werken samen sinds 2015.",
    "Het decreet van 22 november 2013 (BS 12.12.2013) regelt de opvang.",
    "La Région wallonne a adopté l'arrêté du 10/05/2019, article 9bis.",
    "Le numéro vert 0800 12 345 est gratuit.",
    "1° les personnes sans abri ; 2° les mineurs étrangers non accompagnés.",
    "Une famille de 4 personnes reçoit 1 573,24 € par mois, 12 fois par an.",
    "Stad Kortrijk en Provincie West-Vlaanderen: samen 3 projecten.",
    "Le CPAS de Charleroi, 40 ans d'histoire, accueille 300 personnes par jour.",
    "De 18-jarige jongere krijgt een leefloon tot 25 jaar.",
    "Contrat Engagement Jeune (18 ans) : 500 € par mois.",
    "Madame X, 45 ans, mère isolée, n'a pas obtenu la garantie.",
    "Monsieur D. vit dans sa voiture depuis 2021.",
    "Permanences de 08.30 à 12.00 et de 13.30 à 16.00, art. 57, § 2, 2°.",
    "Budget 2024 : 0,5 % du total, soit 3 000 000 € ; numéro BCE 0212.345.678.",
    "Le lycée Victor Hugo et l'école Jean Jaurès accueillent les jeunes.",
    "De Jan Breydelstraat en het Koning Albertpark liggen vlakbij.",
    "Claire et précise, la proposition de la Région wallonne convainc.",
    "France Travail et le Forem partagent leurs offres.",
]


def kinds_and_excerpts(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(finding.kind, finding.excerpt) for finding in findings]


@pytest.mark.parametrize(("kind", "text", "excerpt"), POSITIVES)
def test_personal_data_is_flagged_with_its_kind_and_exact_excerpt(kind: str, text: str, excerpt: str):
    assert kinds_and_excerpts(find_personal_data({"finding": text})) == [(kind, excerpt)]


def test_every_kind_has_at_least_five_examples_in_the_positive_cases():
    counts = {kind: sum(1 for case in POSITIVES if case[0] == kind) for kind in KIND_LABELS}
    assert min(counts.values()) >= 5, counts


@pytest.mark.parametrize("text", NEGATIVES)
def test_ordinary_policy_prose_is_not_flagged(text: str):
    assert find_personal_data({"finding": text}) == []


@pytest.mark.parametrize(("kind", "text", "excerpt"), POSITIVES)
def test_the_excerpt_is_the_slice_of_the_source_at_the_reported_position(kind: str, text: str, excerpt: str):
    (finding,) = find_personal_data({"proposal": text})
    assert finding.field == "proposal"
    assert text[finding.start : finding.end] == finding.excerpt == excerpt


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rencontre avec **M. Dupont** hier.", ("person", "M. Dupont")),
        ("_Kevin_, 19 ans, dort dehors.", ("person", "Kevin_, 19 ans")),
        ("Il vit au **12 rue des Lilas**.", ("address", "12 rue des Lilas")),
        ("Bel *0470 12 34 56* na 17 uur.", ("phone", "0470 12 34 56")),
        ("Zie [haar mail](mailto:lotte@example.be).", ("email", "lotte@example.be")),
        ("Née le **12/03/1998**.", ("birth_date", "12/03/1998")),
    ],
)
def test_markdown_around_a_match_stays_out_of_the_excerpt(text: str, expected: tuple[str, str]):
    assert kinds_and_excerpts(find_personal_data({"finding": text})) == [expected]


def test_several_kinds_in_one_text_are_each_found_in_reading_order():
    text = "Madame Leroy, 45 ans, née le 12/03/1978, 12 rue des Lilas, 06 12 34 56 78, leroy@example.fr"
    assert kinds_and_excerpts(find_personal_data({"finding": text})) == [
        ("person", "Madame Leroy, 45 ans"),
        ("birth_date", "12/03/1978"),
        ("address", "12 rue des Lilas"),
        ("phone", "06 12 34 56 78"),
        ("email", "leroy@example.fr"),
    ]


def test_findings_follow_the_given_field_order_then_the_position():
    findings = find_personal_data(
        {
            "title": "Garantie locative",
            "proposal": "Bel 0470 12 34 56 of mail jan@example.be.",
            "finding": "Mme Martin habite 12 rue des Lilas.",
        }
    )
    assert [(finding.field, finding.kind) for finding in findings] == [
        ("proposal", "phone"),
        ("proposal", "email"),
        ("finding", "person"),
        ("finding", "address"),
    ]


def test_no_two_findings_overlap():
    text = "NN 85.07.30-033.28, tél. 0470 12 34 56, Madame Leroy, 45 ans, né le 3 janvier 2001, Kerkstraat 12."
    findings = find_personal_data({"finding": text})
    assert ("national_number", "85.07.30-033.28") in kinds_and_excerpts(findings)
    assert ("person", "Madame Leroy, 45 ans") in kinds_and_excerpts(findings)
    for earlier, later in pairwise(findings):
        assert earlier.end <= later.start


def test_two_full_names_in_one_sentence_are_two_findings():
    text = "Jan Peeters en Els Janssens volgen het gezin."
    assert kinds_and_excerpts(find_personal_data({"finding": text})) == [
        ("full_name", "Jan Peeters"),
        ("full_name", "Els Janssens"),
    ]


def test_empty_fields_give_no_findings():
    assert find_personal_data({"title": "", "finding": ""}) == []
    assert find_personal_data({}) == []


@pytest.mark.parametrize(
    "text",
    [
        "Numéro national : 85073003361.",  # 11 digits with a wrong mod-97 check
        "Numéro de sécurité sociale : 1 85 05 78 006 084 36.",  # wrong NIR key
        "Le numéro de dossier 12345678901 est clôturé.",
    ],
)
def test_national_numbers_that_fail_their_check_digits_are_not_flagged(text: str):
    assert find_personal_data({"finding": text}) == []


@pytest.mark.parametrize(
    "text",
    [
        "La réforme est entrée en vigueur le 12/03/2019.",
        "Het decreet van 3 januari 2001 regelt de jeugdhulp.",
        "Rue de la Station, près de la gare.",
        "Kerkstraat, vlak bij het station.",
    ],
)
def test_a_date_needs_a_birth_cue_and_a_street_needs_a_number(text: str):
    assert find_personal_data({"finding": text}) == []


def test_the_fingerprint_is_a_short_sha256_hex_digest():
    (finding,) = find_personal_data({"finding": "Mail jan@example.be"})
    assert re.fullmatch(r"[0-9a-f]{16}", finding.fingerprint)


def test_the_fingerprint_survives_re_saving_the_text_with_changes_elsewhere():
    (before,) = find_personal_data({"finding": "Kevin, 19 ans, dort dehors."})
    (after,) = find_personal_data({"finding": "Depuis deux ans, Kevin, 19 ans, dort dehors à Mons."})
    assert (before.start, before.end) != (after.start, after.end)
    assert before.fingerprint == after.fingerprint


def test_the_fingerprint_ignores_spacing_differences_in_the_same_passage():
    (plain,) = find_personal_data({"finding": "Tél. 06 12 34 56 78"})
    (non_breaking,) = find_personal_data({"finding": "Tél. 06\u00a012\u00a034\u00a056\u00a078"})
    assert plain.fingerprint == non_breaking.fingerprint


def test_the_same_passage_in_another_field_has_another_fingerprint():
    in_finding, in_proposal = find_personal_data({"finding": "Mme Martin", "proposal": "Mme Martin"})
    assert in_finding.excerpt == in_proposal.excerpt
    assert in_finding.fingerprint != in_proposal.fingerprint


def test_a_different_passage_has_a_different_fingerprint():
    first, second = find_personal_data({"finding": "Mme Martin et M. Dupont"})
    assert first.fingerprint != second.fingerprint


def test_unconfirmed_leaves_out_the_findings_the_authors_confirmed():
    findings = find_personal_data({"finding": "Mme Martin, CPAS de Mons, tél. 065/12.34.56"})
    person, phone = findings
    assert unconfirmed(findings, [phone.fingerprint]) == [person]
    assert unconfirmed(findings, iter([person.fingerprint, phone.fingerprint])) == []


def test_unconfirmed_keeps_everything_when_nothing_is_confirmed_or_the_text_changed():
    findings = find_personal_data({"finding": "Mme Martin, tél. 065/12.34.56"})
    assert unconfirmed(findings, []) == findings
    (old,) = find_personal_data({"finding": "tél. 065/12.34.56"})
    (new,) = find_personal_data({"finding": "tél. 065/12.34.57"})
    assert unconfirmed([new], [old.fingerprint]) == [new]


def test_every_kind_has_a_label():
    assert set(KIND_LABELS) == {"email", "phone", "address", "national_number", "birth_date", "person", "full_name"}
    assert all(str(label) for label in KIND_LABELS.values())


def test_translations_are_checked_under_fields_of_their_own():
    texts = privacy.texts_to_check(
        {"finding": "Appeler au 0470 12 34 56.", "proposal": ""},
        {"nl": {"finding": "Bel 0470 12 34 56.", "proposal": "", "unknown": "0470 12 34 56"}},
    )
    assert texts == {"finding": "Appeler au 0470 12 34 56.", "proposal": "", "nl:finding": "Bel 0470 12 34 56."}
    original, translated = privacy.find_personal_data(texts)
    assert (original.field, translated.field) == ("finding", "nl:finding")
    assert original.fingerprint != translated.fingerprint  # confirmed in one, still asked about in the other
    assert privacy.split_field("nl:finding") == ("nl", "finding")
    assert privacy.split_field("finding") == (None, "finding")


FOLDED_SPELLINGS = ["12 CHEMİN DES Lilas", "12 chemın des Lilas", "ſquare Ambiorix 12", "CİTÉ Ambiorix 12"]


@pytest.mark.parametrize("text", [text for _kind, text, _excerpt in POSITIVES] + NEGATIVES + FOLDED_SPELLINGS)
def test_the_quick_checks_before_the_patterns_never_change_what_is_found(text: str):
    assert privacy._find_in_text(text) == privacy._find_in_text(text, gated=False)


@pytest.mark.parametrize("text", FOLDED_SPELLINGS)
def test_a_street_word_is_recognised_whatever_its_case_folding(text: str):
    assert [finding.kind for finding in find_personal_data({"text": text})] == ["address"]


def test_masking_replaces_each_flagged_passage_and_keeps_the_rest():
    text = "Appeler Mme Dupont au 0470 12 34 56, 12 rue des Lilas à Lille, ou écrire à julie@example.org."
    assert privacy.masked(text) == "Appeler […] au […], […] à Lille, ou écrire à […]."
    assert (
        privacy.masked("Le guichet ouvre en 2026 pour les 18-25 ans.") == "Le guichet ouvre en 2026 pour les 18-25 ans."
    )
