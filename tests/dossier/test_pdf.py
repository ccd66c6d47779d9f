"""The dossier's PDF, made by Typst in one go, read back by an independent reader (pypdf): page numbers
from the second page, a table of contents whose numbers and links lead to the right pages, one outline
with each recommendation under its axis, a tagged structure (PDF/UA-1), both languages side by side, the
schemes table across pages with its header again, and the annex."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from pypdf import PdfReader

from workspace.dossier.content import AxisSection, DossierContent, Entry, MinorityView, Votes
from workspace.dossier.exports import typst_compile
from workspace.dossier.exports.labels import labels
from workspace.dossier.exports.pdf import render_pdf
from workspace.recommendations.models import TEXT_FIELDS

PARAGRAPH = "Les jeunes frappent à quatre portes avant de trouver un logement. " * 12
DUTCH = "Jongeren kloppen aan vier deuren voor ze een woning vinden. " * 12


def _entry(number: str, axis: str, title: str, adopted: bool = True, scheme: str = PARAGRAPH) -> Entry:
    french = {**dict.fromkeys(TEXT_FIELDS, PARAGRAPH), "title": title, "scheme_fr": scheme}
    dutch = {**dict.fromkeys(TEXT_FIELDS, DUTCH), "title": f"NL {title}"}
    votes = Votes(10, 8, 6, 1, 1, 0, 0.8, 0.85, {"fr": 0.9, "be": 0.8}, adopted, [] if adopted else ["overall"])
    return Entry(
        id=str(uuid.uuid4()),
        number=number,
        axis_code=axis,
        status="adopted" if adopted else "not_adopted",
        original_language="fr",
        action_level="local",
        text={"fr": french, "nl": dutch},
        votes=votes,
        minority_views=[MinorityView("against", "Trop cher pour les petites communes")],
    )


def _content() -> DossierContent:
    axes = [
        AxisSection(str(uuid.uuid4()), "F", {"fr": "Formation", "nl": "Opleiding"}, {"fr": "", "nl": ""}, []),
        AxisSection(
            str(uuid.uuid4()),
            "P",
            {"fr": "Pratiques", "nl": "Praktijken"},
            {"fr": "Les pratiques.", "nl": "De praktijken."},
            [_entry(f"P{n}", "P", f"Pratique numéro {n}") for n in range(1, 4)],
        ),
        AxisSection(
            str(uuid.uuid4()),
            "G",
            {"fr": "Gouvernance", "nl": "Bestuur"},
            {"fr": "", "nl": ""},
            [_entry("G1", "G", "Une conférence des élus", scheme="Le CCAS de Lille accueille. " * 300)],
        ),
    ]
    return DossierContent(
        cycle_slug="logement-2013",
        year=2013,
        title={"fr": "Le logement des jeunes", "nl": "Huisvesting van jongeren"},
        theme={"fr": "Le logement", "nl": "Huisvesting"},
        introduction={"fr": "Une introduction.", "nl": "Een inleiding."},
        axes=axes,
        organisations=["CPAS de Mons"],
        annex=[_entry("", "F", "Une allocation unique", adopted=False)],
        version=1,
        published_on="2013-12-06",
    )


def _text(page) -> str:
    return re.sub(r"(\w) \. ", r"\1. ", page.extract_text())  # pypdf may read "F. Formation" as "F . Formation"


def _outline(reader: PdfReader) -> list[tuple[str, list[str]]]:
    """(title, children's titles) of the top level."""
    result: list[tuple[str, list[str]]] = []
    for item in reader.outline:
        if isinstance(item, list):
            result[-1][1].extend(child.title for child in item)
        else:
            result.append((item.title, []))
    return result


def _structure(node, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(type, language) of every structure element, in reading order."""
    node = node.get_object()
    if isinstance(node, dict):
        if "/S" in node:
            found.append((str(node["/S"]), str(node.get("/Lang", ""))))
        kids = node.get("/K")
        if kids is not None:
            for kid in kids if isinstance(kids, list) else [kids]:
                if not isinstance(kid, int):
                    _structure(kid, found)
    return found


@pytest.fixture(scope="module")
def french() -> PdfReader:
    return PdfReader(io.BytesIO(render_pdf(_content(), ("fr",))))


@pytest.fixture(scope="module")
def side_by_side() -> PdfReader:
    return PdfReader(io.BytesIO(render_pdf(_content(), ("fr", "nl"))))


def test_pages_are_numbered_on_from_the_second_page(french: PdfReader):
    total = len(french.pages)
    assert f"/ {total}" not in french.pages[0].extract_text()
    for number, page in enumerate(french.pages[1:], start=2):
        assert page.extract_text().rstrip().endswith(f"{number} / {total}")


@pytest.mark.parametrize("languages", ["french", "side_by_side"])
def test_contents_give_the_page_of_each_heading_and_link_to_it(languages: str, request: pytest.FixtureRequest):
    reader: PdfReader = request.getfixturevalue(languages)
    lines = re.findall(r"^(.+?) \.+ ?(\d+)$", _text(reader.pages[1]), flags=re.MULTILINE)
    titles = [title for title, _number in lines]
    intro = " / ".join(labels(language)["introduction"] for language in ("fr", "nl"))
    assert titles[0] == ("Introduction" if languages == "french" else intro)
    assert {"P2. Pratique numéro 2", "G1. Une conférence des élus"} <= set(titles)  # first language only
    for title, number in lines:
        assert title in " ".join(_text(reader.pages[int(number) - 1]).split()), title  # a long title wraps
    targets = dict.fromkeys(str(annotation.get_object()["/Dest"]) for annotation in reader.pages[1]["/Annots"])
    destinations = reader.named_destinations  # a link has a rectangle for each of its lines: one target each
    linked_pages = [reader.get_destination_page_number(destinations[target]) + 1 for target in targets]
    assert linked_pages == [int(number) for _title, number in lines]


def test_outline_keeps_each_recommendation_under_its_axis_and_the_annex(french: PdfReader):
    assert _outline(french) == [
        ("Introduction", []),
        ("F. Formation", []),
        ("P. Pratiques", ["P1. Pratique numéro 1", "P2. Pratique numéro 2", "P3. Pratique numéro 3"]),
        ("G. Gouvernance", ["G1. Une conférence des élus"]),
        ("Annexe : recommandations non adoptées", ["Une allocation unique"]),
    ]


def test_one_tagged_structure_with_headings_tables_and_the_document_language(french: PdfReader):
    root = french.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert str(root["/Lang"]) == "fr"
    assert "<pdfuaid:part>1</pdfuaid:part>" in root["/Metadata"].get_object().get_data().decode()
    tree = root["/StructTreeRoot"]
    types = [kind for kind, _lang in _structure(tree, [])]
    assert types[0] == "/Document"
    assert types.count("/H1") == 6  # the contents, the introduction, three axes, the annex
    assert types.count("/H2") == 5  # the recommendations, adopted or not
    assert types.count("/Table") == 5  # the schemes of each recommendation
    assert types.count("/TH") == 5 * 3
    keys = tree["/ParentTree"]["/Nums"][::2]
    assert keys == sorted(set(keys))
    assert all(page["/StructParents"] in keys for page in french.pages)
    assert french.metadata.title == "Le logement des jeunes"


def test_side_by_side_shows_both_languages_and_marks_the_dutch(side_by_side: PdfReader):
    assert side_by_side.metadata.title == "Le logement des jeunes / Huisvesting van jongeren"
    assert str(side_by_side.trailer["/Root"]["/Lang"]) == "fr"
    text = "\n".join(_text(page) for page in side_by_side.pages)
    assert "P1. Pratique numéro 1 / NL Pratique numéro 1" in text
    assert "Jongeren kloppen aan vier deuren" in text
    assert f"{labels('fr')['finding']} / {labels('nl')['finding']}" in text
    assert ("/P", "nl") in _structure(side_by_side.trailer["/Root"]["/StructTreeRoot"], [])


def test_votes_minority_views_and_the_annex_are_printed(french: PdfReader):
    fr = labels("fr")
    text = "\n".join(_text(page) for page in french.pages)
    assert fr["adopted"] in text
    figures = " ".join(text.split())
    assert f"{fr['for']} : 6 · {fr['against']} : 1" in figures
    sides = [fr["support_on"].format(side=fr[side]) for side in ("scheme_fr", "side_be")]
    assert f"{sides[0]} : 90 % · {sides[1]} : 80 %" in figures
    assert f"{fr['against']}: Trop cher pour les petites communes" in text
    annex = text[text.index(fr["annex_intro"]) :]
    assert "Une allocation unique" in annex
    assert f"{fr['not_adopted']} ({fr['overall']})" in annex


def test_a_schemes_table_longer_than_a_page_repeats_its_header(french: PdfReader):
    fr = labels("fr")
    pages = [_text(page) for page in french.pages if "accueille" in page.extract_text()]
    assert len(pages) >= 2
    assert all(fr["scheme_fr"] in page and fr["scheme_vl"] in page for page in pages)


def test_a_document_typst_refuses_fails_with_its_message(tmp_path, capsys: pytest.CaptureFixture[str]):
    main = tmp_path / "main.typ"
    main.write_text('#set document(title: "t")\n#read("/etc/hostname")\n')
    assert typst_compile.main([str(main), str(tmp_path / "out.pdf")]) == 1
    assert f"searched at {tmp_path}/etc/hostname" in capsys.readouterr().err  # the root: the document's folder
    assert not (tmp_path / "out.pdf").exists()
