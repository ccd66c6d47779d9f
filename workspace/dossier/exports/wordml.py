"""Paragraphs, tables and fields written as WordprocessingML elements and added at the end of a python-docx
document's body, for the DOCX export.

python-docx's own document.add_paragraph and add_table are public but slow for a long document: each
paragraph given a style looks for the default style among every style (160 in its template), each table
looks for the last section through the whole body (to size itself), each text is written character by
character. The benchmark's dossier of 300 recommendations side by side, measured in one minute: 18.3 s
that way (7.8 s with the template's unused styles deleted), 1.2-1.4 s written here; 30-100 s that way on a
busier hour. So python-docx makes the package
(template, styles, sections, properties, settings, saving) through its public interface, and the body's
blocks are written here with what python-docx exports for that (OxmlElement, qn, Document.element,
Settings.element) and lxml's own interface: no private attribute of python-docx.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement as XmlElement
from docx.shared import Length

Cell = str | Sequence["Run"]


class Run:
    """A run of text: newlines become line breaks."""

    def __init__(self, text: str, italic: bool = False) -> None:
        self.text = text
        self.italic = italic


def _child(parent: XmlElement, tag: str, **attributes: str) -> XmlElement:
    element = OxmlElement(tag, {qn(name.replace("_", ":", 1)): value for name, value in attributes.items()})
    parent.append(element)
    return element


def _run(parent: XmlElement, run: Run) -> None:
    element = _child(parent, "w:r")
    if run.italic:
        _child(_child(element, "w:rPr"), "w:i")
    for index, line in enumerate(run.text.replace("\t", " ").split("\n")):
        if index:
            _child(element, "w:br")
        if line:
            _child(element, "w:t", xml_space="preserve").text = line


def paragraph(runs: Iterable[Run], style_id: str | None = None, indent: Length | None = None) -> XmlElement:
    element = OxmlElement("w:p")
    if style_id or indent:
        properties = _child(element, "w:pPr")
        if style_id:
            _child(properties, "w:pStyle", w_val=style_id)
        if indent:
            _child(properties, "w:ind", w_left=str(indent.twips))
    for run in runs:
        _run(element, run)
    return element


def page_break() -> XmlElement:
    element = OxmlElement("w:p")
    _child(_child(element, "w:r"), "w:br", w_type="page")
    return element


def table(rows: Sequence[Sequence[Cell]], widths: Sequence[Length], style_id: str) -> XmlElement:
    """A table of rows of cells, each cell a text (paragraphs apart by blank lines) or runs."""
    element = OxmlElement("w:tbl")
    properties = _child(element, "w:tblPr")
    _child(properties, "w:tblStyle", w_val=style_id)
    _child(properties, "w:tblW", w_type="auto", w_w="0")
    _child(properties, "w:tblLook", w_val="04A0", w_firstRow="1", w_firstColumn="1", w_noVBand="1")
    grid = _child(element, "w:tblGrid")
    for width in widths:
        _child(grid, "w:gridCol", w_w=str(width.twips))
    for cells in rows:
        row = _child(element, "w:tr")
        for cell, width in zip(cells, widths, strict=True):
            box = _child(row, "w:tc")
            _child(_child(box, "w:tcPr"), "w:tcW", w_w=str(width.twips), w_type="dxa")
            if isinstance(cell, str):
                for text in cell.split("\n\n"):
                    box.append(paragraph([Run(text)]))
            else:
                box.append(paragraph(cell))
    return element


def field(instruction: str, placeholder: Run) -> list[Run | XmlElement]:
    """The runs of a field (begin, instruction, separate, the result shown until it is updated, end)."""
    parts: list[Run | XmlElement] = []
    for kind in ("begin", "instruction", "separate"):
        run = OxmlElement("w:r")
        if kind == "instruction":
            _child(run, "w:instrText", xml_space="preserve").text = instruction
        else:
            _child(run, "w:fldChar", w_fldCharType=kind, **({"w_dirty": "true"} if kind == "begin" else {}))
        parts.append(run)
    end = OxmlElement("w:r")
    _child(end, "w:fldChar", w_fldCharType="end")
    return [*parts, placeholder, end]


def field_paragraph(parts: list[Run | XmlElement]) -> XmlElement:
    element = OxmlElement("w:p")
    for part in parts:
        if isinstance(part, Run):
            _run(element, part)
        else:
            element.append(part)
    return element


SETTINGS_AFTER_UPDATE_FIELDS = (
    *("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr"),
    *("w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats"),
    *("w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "w:smartTagType"),
    *("sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator"),
)
"""What follows w:updateFields in the settings (the schema's order, which Word holds to)."""


def update_fields_on_open(document: DocumentObject) -> None:
    """Word asks to update the document's fields when it opens it (the table of contents is one)."""
    settings = document.settings.element
    element = OxmlElement("w:updateFields", {qn("w:val"): "true"})
    after = {qn(tag) for tag in SETTINGS_AFTER_UPDATE_FIELDS}
    following = next((child for child in settings if child.tag in after), None)
    if following is None:
        settings.append(element)
    else:
        following.addprevious(element)


class Body:
    """Appends blocks at the end of the document's body, before its last section's properties (which stay
    last, as the format wants)."""

    def __init__(self, document: DocumentObject) -> None:
        body = document.element.find(qn("w:body"))
        assert body is not None
        self.end = body[-1]

    def add(self, element: XmlElement) -> None:
        self.end.addprevious(element)
