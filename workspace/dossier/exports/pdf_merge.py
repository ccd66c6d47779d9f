"""Joining the PDF's parts (pdf.py) into one tagged PDF with pikepdf (qpdf).

The first part is the base: its catalog keeps the title, language and tagging marks. Each next part's pages
follow as it comes; its structure elements join the one Document element, in page order, and its keys in the
structure parent tree (one per page, one per link) are shifted past the ones already there. The front (cover
and contents), rendered last, goes before them, its keys first. The links of the contents point to named
destinations (WeasyPrint's way); the names are set to the pages where the parts found their targets. The
outline is built again from the headings of every part, so that a recommendation continuing an axis in a later
part still sits under its axis. Page numbers are drawn over each page as pagination artifacts, from a few
numbers rendered apart.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


def _copy(pdf: Pdf, source: Pdf, value: pikepdf.Object) -> pikepdf.Object:
    """value from source, copied into pdf. qpdf copies only indirect objects: a direct array, as WeasyPrint
    writes destinations and the parent tree's entries (one reference per marked content of a page), is
    made indirect in source first and copied whole (one call rather than one per reference)."""
    if not isinstance(value, pikepdf.Object):
        return value  # numbers and names come out of pikepdf as Python values
    if value.is_indirect:
        return pdf.copy_foreign(value)
    if isinstance(value, Array):
        return pdf.copy_foreign(source.make_indirect(value))
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


class Merger:
    """Joins the parts one by one as they are rendered (in reading order), while the next ones are laid
    out; finish() then puts the front before them, with its structure keys first, and writes the PDF.

    The first part is the base: its catalog has the same title, language and tagging marks as the
    front's, since every part is rendered from the same page head."""

    def __init__(self) -> None:
        self.pdf: Pdf | None = None
        self.sources: list[Pdf] = []  # qpdf copies lazily from the sources: kept open until saved
        self.numbers: list[tuple[int, pikepdf.Object]] = []
        self.next_key = 0
        self.destinations: dict[str, pikepdf.Object] = {}

    def add(self, part: Rendered) -> None:
        source = Pdf.open(io.BytesIO(part.pdf))
        if self.pdf is None:
            self.pdf = source
            self.numbers = _flat_numbers(source.Root.StructTreeRoot.ParentTree)
            self.next_key = max((key for key, _value in self.numbers), default=-1) + 1
            self.destinations = _destinations(source)
            return
        self.sources.append(source)
        self.numbers += self._join(source, self.next_key, len(self.pdf.pages))
        for name, value in _destinations(source).items():
            self.destinations[name] = _copy(self.pdf, source, value)

    def _join(self, source: Pdf, shift: int, at: int) -> list[tuple[int, pikepdf.Object]]:
        """Copies source's pages in at index at, its structure elements in the Document element at the
        same place, with its structure keys shifted by shift; returns its parent tree entries."""
        assert self.pdf is not None
        pdf = self.pdf
        _shift_keys(source.pages, shift)
        pdf.pages[at:at] = list(source.pages)
        copied = pdf.copy_foreign(source.Root.StructTreeRoot.K[0])
        document = pdf.Root.StructTreeRoot.K[0]
        position = 0 if at == 0 else len(document.K)
        for kid in copied.K:
            kid.P = document
            document.K.insert(position, kid)
            position += 1
        numbers = _flat_numbers(source.Root.StructTreeRoot.ParentTree)
        self.next_key = max(self.next_key, shift + max((key for key, _value in numbers), default=-1) + 1)
        return [(key + shift, _copy(pdf, source, value)) for key, value in numbers]

    def finish(self, front: Rendered, parts: list[Rendered], offsets: list[int], folios: bytes) -> bytes:
        """The PDF: front, then the parts added (part i starting at page offsets[i], from 0); folios from
        render_folios, with the total page count."""
        assert self.pdf is not None
        pdf = self.pdf
        source = Pdf.open(io.BytesIO(front.pdf))
        self.sources.append(source)
        front_numbers = _flat_numbers(source.Root.StructTreeRoot.ParentTree)
        shift = max((key for key, _value in front_numbers), default=-1) + 1
        _shift_keys(pdf.pages, shift)
        numbers = [(key + shift, value) for key, value in self.numbers]
        self.next_key += shift
        numbers = self._join(source, 0, 0) + numbers
        for name, value in _destinations(source).items():  # the front's empty anchors: the parts' count
            self.destinations.setdefault(name, _copy(pdf, source, value))
        structure = pdf.Root.StructTreeRoot
        structure.ParentTree = pdf.make_indirect(
            Dictionary(Nums=Array([item for key, value in numbers for item in (key, value)]))
        )
        structure.ParentTreeNextKey = self.next_key
        _set_destinations(pdf, self.destinations)
        _set_outline(pdf, front, parts, offsets)
        self.sources.append(_add_folios(pdf, folios))
        output = io.BytesIO()
        pdf.save(output, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        for opened in [pdf, *self.sources]:
            opened.close()
        return output.getvalue()


def _shift_keys(pages: pikepdf.PageList, shift: int) -> None:
    if not shift:
        return
    for page in pages:
        page.obj.StructParents = int(page.obj.StructParents) + shift
        for annotation in page.obj.get("/Annots", Array()):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + shift


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


def _add_folios(pdf: Pdf, folios: bytes) -> Pdf:
    """Page numbers from the second page on. folios (render_folios) has one page with the number
    0123456789 (all the digits, to learn their glyph codes), then, for n from 1 to the number of digits
    of the total, a page with a number of n zeros: each page's number is written by taking the page of
    its length and putting the codes of its digits in place of the zeros (the digits of the font are
    all as wide, which WeasyPrint centred). Returns the opened folios, to keep open until pdf is saved."""
    source = Pdf.open(io.BytesIO(folios))
    digits = _glyph_codes(pikepdf.parse_content_stream(source.pages[0]))[:10]
    templates = []
    for page in source.pages[1:]:
        form = pdf.copy_foreign(page.as_form_xobject())
        form.Resources = pdf.make_indirect(form.Resources)  # one font for every page's form
        templates.append((form, pikepdf.parse_content_stream(page)))
    for index in range(1, len(pdf.pages)):
        number = str(index + 1)
        template, instructions = templates[len(number) - 1]
        codes = iter([digits[int(digit)] for digit in number])
        content = pikepdf.unparse_content_stream(_with_codes(instructions, codes))
        form = pikepdf.Stream(pdf, content)
        for key, value in template.stream_dict.items():
            if key not in ("/Length", "/Filter", "/DecodeParms"):
                form[key] = value
        page = pdf.pages[index]
        name = page.add_resource(pdf.make_indirect(form), Name.XObject, prefix="Folio")
        page.contents_add(b"q", prepend=True)
        page.contents_add(b"Q " + FOLIO_CONTENT % bytes(str(name), "ascii"))
    return source


def _glyph_codes(instructions: list[pikepdf.ContentStreamInstruction]) -> list[bytes]:
    """The two-byte glyph codes (WeasyPrint's fonts are Identity-H) shown by instructions, in order."""
    codes = []
    for instruction in instructions:
        operands, operator = instruction.operands, str(instruction.operator)
        if operator in ("TJ", "Tj"):
            for item in operands[0] if operator == "TJ" else operands:
                if isinstance(item, String):
                    data = bytes(item)
                    assert len(data) % 2 == 0
                    codes += [data[i : i + 2] for i in range(0, len(data), 2)]
    return codes


def _with_codes(instructions: list[pikepdf.ContentStreamInstruction], codes: Iterator[bytes]) -> list[Any]:
    """instructions with their first glyph codes replaced by codes."""
    result: list[Any] = []
    for instruction in instructions:
        operands, operator = list(instruction.operands), instruction.operator
        if str(operator) in ("TJ", "Tj"):
            items = operands[0] if str(operator) == "TJ" else operands
            replaced = []
            for item in items:
                if isinstance(item, String):
                    data = bytes(item)
                    item = String(b"".join(next(codes, data[i : i + 2]) for i in range(0, len(data), 2)))
                replaced.append(item)
            operands = [Array(replaced)] if str(operator) == "TJ" else replaced
        result.append((operands, operator))
    return result
