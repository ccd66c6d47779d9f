"""A PDF rendered in parts by worker processes reads as one document: page numbers running on, a table of
contents whose numbers and links lead to the right pages, one outline with each recommendation under its
axis, one structure tree with tagged headings."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from pypdf import PdfReader

from workspace.dossier.content import AxisSection, DossierContent, Entry, MinorityView, Votes
from workspace.dossier.exports.pdf import parts, render_pdf
from workspace.recommendations.models import TEXT_FIELDS

PARAGRAPH = "Les jeunes frappent à quatre portes avant de trouver un logement. " * 12


def _entry(number: str, axis: str, title: str, adopted: bool = True) -> Entry:
    texts = dict.fromkeys(TEXT_FIELDS, PARAGRAPH)
    votes = Votes(10, 8, 6, 1, 1, 0, 0.8, 0.85, {"fr": 0.9, "be": 0.8}, adopted, [] if adopted else ["overall"])
    return Entry(
        id=str(uuid.uuid4()),
        number=number,
        axis_code=axis,
        status="adopted" if adopted else "not_adopted",
        original_language="fr",
        action_level="local",
        text={"fr": {**texts, "title": title}, "nl": {**texts, "title": f"NL {title}"}},
        votes=votes,
        minority_views=[MinorityView("against", "Trop cher")],
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
            [_entry("G1", "G", "Une conférence des élus")],
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
    return re.sub(r"(\w) \. ", r"\1. ", page.extract_text())  # pypdf reads "F. Formation" as "F . Formation"


def _outline(reader: PdfReader) -> list[tuple[str, list[str]]]:
    """(title, children's titles) of the top level."""
    result: list[tuple[str, list[str]]] = []
    for item in reader.outline:
        if isinstance(item, list):
            result[-1][1].extend(child.title for child in item)
        else:
            result.append((item.title, []))
    return result


def _structure_types(node, found: list[str]) -> list[str]:
    node = node.get_object()
    if isinstance(node, dict):
        if "/S" in node:
            found.append(str(node["/S"]))
        kids = node.get("/K")
        if kids is not None:
            for kid in kids if isinstance(kids, list) else [kids]:
                if not isinstance(kid, int):
                    _structure_types(kid, found)
    return found


@pytest.fixture(scope="module")
def in_parts() -> PdfReader:
    content = _content()
    assert len(parts(content, ("fr",), part_weight=1)) == 7  # the introduction, then one per section or recommendation
    return PdfReader(io.BytesIO(render_pdf(content, ("fr",), part_weight=1, workers=2)))


def test_pages_are_numbered_on_from_the_second_page(in_parts: PdfReader):
    total = len(in_parts.pages)
    assert f"/ {total}" not in in_parts.pages[0].extract_text()
    for number, page in enumerate(in_parts.pages[1:], start=2):
        assert page.extract_text().rstrip().endswith(f"{number} / {total}")


def test_contents_give_the_page_of_each_heading_and_link_to_it(in_parts: PdfReader):
    lines = re.findall(r"^(.+?) \.+ ?(\d+)$", _text(in_parts.pages[1]), flags=re.MULTILINE)
    titles = [title for title, _number in lines]
    assert {"Introduction", "F. Formation", "P2. Pratique numéro 2", "G1. Une conférence des élus"} <= set(titles)
    for title, number in lines:
        assert title in _text(in_parts.pages[int(number) - 1]), title
    targets = dict.fromkeys(str(annotation.get_object()["/Dest"]) for annotation in in_parts.pages[1]["/Annots"])
    destinations = in_parts.named_destinations  # a link has a rectangle for each of its boxes: one target each
    linked_pages = [in_parts.get_destination_page_number(destinations[target]) + 1 for target in targets]
    assert linked_pages == [int(number) for _title, number in lines]


def test_outline_keeps_each_recommendation_under_its_axis_across_parts(in_parts: PdfReader):
    assert _outline(in_parts) == [
        ("Introduction", []),
        ("F. Formation", []),
        ("P. Pratiques", ["P1. Pratique numéro 1", "P2. Pratique numéro 2", "P3. Pratique numéro 3"]),
        ("G. Gouvernance", ["G1. Une conférence des élus"]),
        ("Annexe : recommandations non adoptées", ["Une allocation unique"]),
    ]


def test_one_structure_tree_with_tagged_headings_and_consistent_parent_keys(in_parts: PdfReader):
    root = in_parts.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert str(root["/Lang"]) == "fr"
    tree = root["/StructTreeRoot"]
    assert len(tree["/K"]) == 1
    types = _structure_types(tree["/K"][0], [])
    assert types[0] == "/Document"
    assert types.count("/H3") >= 5  # the recommendations (some split over two pages)
    assert types.count("/H2") >= 5
    keys = tree["/ParentTree"]["/Nums"][::2]
    assert keys == sorted(set(keys))
    page_keys = [page["/StructParents"] for page in in_parts.pages]
    assert page_keys == sorted(set(page_keys))
    assert all(page["/StructParents"] in keys for page in in_parts.pages)
    assert in_parts.metadata.title == "Le logement des jeunes"


def test_the_same_headings_as_in_one_part():
    content = _content()
    whole = PdfReader(io.BytesIO(render_pdf(content, ("fr", "nl"))))
    split = PdfReader(io.BytesIO(render_pdf(content, ("fr", "nl"), part_weight=1, workers=1)))
    assert _outline(whole) == _outline(split)
    assert len(split.pages) >= len(whole.pages)  # each part starts on a new page
