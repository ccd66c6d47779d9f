"""Joining the PDF's parts (pdf.py) into one tagged PDF with pikepdf (qpdf).

The front part (cover and contents) is the base: its catalog keeps the title, language and tagging
marks. Each part's pages follow; its structure elements join the one Document element, in page order,
and its keys in the structure parent tree (one per page, one per link) are shifted past the ones
already there. The links of the contents point to named destinations (WeasyPrint's way); the names
are set to the pages where the parts found their targets. The outline is built again from the headings
of every part, so that a recommendation continuing an axis in a later part still sits under its axis.
Page numbers come from pages rendered apart and are drawn over each page as pagination artifacts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, Pdf, String

if TYPE_CHECKING:
    from workspace.dossier.exports.pdf import Rendered


@dataclass(frozen=True)
class Bookmark:
    level: int
    label: str
    page: int
    """Counted from 0 in its part."""
    x: float
    y: float
    """PDF coordinates (points from the bottom left)."""


FOLIO_CONTENT = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC q %s Do Q EMC"


def _copy(pdf: Pdf, value: pikepdf.Object) -> pikepdf.Object:
    """value from another PDF, copied in (qpdf copies only indirect objects: direct arrays, as WeasyPrint
    writes destinations and the parent tree's page entries, are rebuilt around their copied references)."""
    if not isinstance(value, pikepdf.Object):
        return value  # numbers and names come out of pikepdf as Python values
    if value.is_indirect:
        return pdf.copy_foreign(value)
    if isinstance(value, Array):
        return Array([_copy(pdf, item) for item in value])
    return value


def _flat_numbers(tree: pikepdf.Object) -> list[tuple[int, pikepdf.Object]]:
    assert "/Kids" not in tree, "WeasyPrint writes a flat parent tree"
    nums = tree.Nums
    return [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]


def _destinations(pdf: Pdf) -> dict[str, pikepdf.Object]:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    return {str(name): value for name, value in pikepdf.NameTree(names.Dests).items()}


def merge(front: Rendered, parts: list[Rendered], offsets: list[int], folios: list[tuple[int, bytes]]) -> bytes:
    """One PDF: front, then parts (part i starting at page offsets[i], from 0); folios[k] = (first page
    number, a PDF of page numbers from that one on)."""
    pdf = Pdf.open(io.BytesIO(front.pdf))
    structure = pdf.Root.StructTreeRoot
    document = structure.K[0]
    numbers = _flat_numbers(structure.ParentTree)
    next_key = max((key for key, _value in numbers), default=-1) + 1
    destinations = _destinations(pdf)
    sources = []
    for part in parts:
        source = Pdf.open(io.BytesIO(part.pdf))
        sources.append(source)  # qpdf copies lazily from the source: keep it open until saved
        for page in source.pages:
            page.obj.StructParents = int(page.obj.StructParents) + next_key
            for annotation in page.obj.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + next_key
        pdf.pages.extend(source.pages)
        source_structure = source.Root.StructTreeRoot
        part_numbers = _flat_numbers(source_structure.ParentTree)
        copied = pdf.copy_foreign(source_structure.K[0])
        for kid in copied.K:
            kid.P = document
            document.K.append(kid)
        for key, value in part_numbers:
            numbers.append((key + next_key, _copy(pdf, value)))
        next_key += max((key for key, _value in part_numbers), default=-1) + 1
        for name, value in _destinations(source).items():
            destinations[name] = _copy(pdf, value)
    structure.ParentTree = pdf.make_indirect(
        Dictionary(Nums=Array([item for key, value in numbers for item in (key, value)]))
    )
    structure.ParentTreeNextKey = next_key
    _set_destinations(pdf, destinations)
    _set_outline(pdf, front, parts, offsets)
    _add_folios(pdf, folios)
    output = io.BytesIO()
    pdf.save(output, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for source in sources:
        source.close()
    return output.getvalue()


def _set_destinations(pdf: Pdf, destinations: dict[str, pikepdf.Object]) -> None:
    names = Array()
    for name in sorted(destinations, key=lambda text: text.encode("utf-16-be")):
        names.append(String(name))
        names.append(destinations[name])
    if "/Names" not in pdf.Root:
        pdf.Root.Names = Dictionary()
    pdf.Root.Names.Dests = pdf.make_indirect(Dictionary(Names=names))


def _set_outline(pdf: Pdf, front: Rendered, parts: list[Rendered], offsets: list[int]) -> None:
    """Level 1 headings at the top, each deeper one under the last shallower one before it."""
    everything = [(0, bookmark) for bookmark in front.bookmarks]
    everything += [
        (offset, bookmark) for part, offset in zip(parts, offsets, strict=True) for bookmark in part.bookmarks
    ]
    with pdf.open_outline() as outline:
        outline.root.clear()
        stack: list[tuple[int, OutlineItem]] = []
        for offset, bookmark in everything:
            item = OutlineItem(bookmark.label, offset + bookmark.page, "XYZ", left=bookmark.x, top=bookmark.y)
            while stack and stack[-1][0] >= bookmark.level:
                stack.pop()
            (stack[-1][1].children if stack else outline.root).append(item)
            stack.append((bookmark.level, item))


def _add_folios(pdf: Pdf, folios: list[tuple[int, bytes]]) -> None:
    for first, data in folios:
        source = Pdf.open(io.BytesIO(data))
        for index, folio in enumerate(source.pages):
            page = pdf.pages[first - 1 + index]
            form = pdf.copy_foreign(folio.as_form_xobject())
            name = page.add_resource(form, Name.XObject, prefix="Folio")
            page.contents_add(b"q", prepend=True)
            page.contents_add(b"Q " + FOLIO_CONTENT % bytes(str(name), "ascii"))
        source.close()
