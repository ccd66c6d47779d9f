"""The readers: a DOCX (python-docx), an ODT (odfpy) or a Markdown file (markdown-it-py) as one neutral
list of blocks (headings with their level, numbered items, paragraphs), or a message saying why not."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from markdown_it import MarkdownIt
from odf import teletype
from odf import text as odf_text
from odf.element import Element
from odf.namespaces import TEXTNS
from odf.opendocument import load as load_odf

from workspace.core.i18n import gettext as _
from workspace.recommendations.models import SourceFormat

MAX_UPLOAD = 10 * 1024 * 1024
"""The largest document accepted, in bytes."""
MAX_UNPACKED = 100 * 1024 * 1024
"""What a DOCX or ODT (a ZIP) may unpack to: a small file that unpacks to gigabytes is refused."""

SUFFIXES = {".docx": SourceFormat.DOCX, ".odt": SourceFormat.ODT, ".md": SourceFormat.MARKDOWN}
SUFFIXES.update({".markdown": SourceFormat.MARKDOWN, ".txt": SourceFormat.MARKDOWN})

BlockKind = Literal["heading", "item", "paragraph"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    level: int = 0
    """A heading's level (1 the highest)."""


class UnreadableDocument(Exception):
    """The document cannot be imported; the message says why, for the person who sent it."""


def read_blocks(data: bytes, file_name: str) -> tuple[SourceFormat, list[Block]]:
    """The document's format and blocks; raises UnreadableDocument with a message for the person."""
    if not data:
        raise UnreadableDocument(_("This file is empty."))
    if len(data) > MAX_UPLOAD:
        raise UnreadableDocument(too_large_message())
    if data.startswith(b"%PDF"):
        raise UnreadableDocument(_("PDF files are not read. Open the document and save it as DOCX or ODT."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        # An OLE compound file: what Word and LibreOffice write for a password-protected DOCX, or an old .doc.
        raise UnreadableDocument(
            _(
                "This document is protected by a password (or is an old .doc file). Remove the password, "
                "save it as DOCX or ODT, and send it again."
            )
        )
    suffix = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    format = SUFFIXES.get(suffix)
    if format is None:
        raise UnreadableDocument(_("Send a DOCX, ODT or Markdown (.md) file."))
    if format is SourceFormat.MARKDOWN:
        return format, read_markdown(data)
    _check_package(data, format)
    try:
        blocks = read_docx(data) if format is SourceFormat.DOCX else read_odt(data)
    except UnreadableDocument:
        raise
    except Exception as error:  # the libraries raise many kinds for a damaged file
        raise UnreadableDocument(_("This file could not be read: it may be damaged.")) from error
    return format, blocks


def too_large_message() -> str:
    return _("This file is too large (at most %(max)s MB).", max=MAX_UPLOAD // (1024 * 1024))


def _check_package(data: bytes, format: SourceFormat) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            if sum(member.file_size for member in members) > MAX_UNPACKED:
                raise UnreadableDocument(too_large_message())
            names = {member.filename for member in members}
            manifest = "META-INF/manifest.xml"
            if format is SourceFormat.ODT and manifest in names and b"encryption-data" in package.read(manifest):
                raise UnreadableDocument(
                    _(
                        "This document is protected by a password. Remove the password, "
                        "save it again, and send it again."
                    )
                )
    except zipfile.BadZipFile as error:
        raise UnreadableDocument(_("This file could not be read: it may be damaged.")) from error
    expected = "word/document.xml" if format is SourceFormat.DOCX else "content.xml"
    if expected not in names:
        message = _("This file is not the %(format)s document its name says.", format=format.value.upper())
        raise UnreadableDocument(message)


_HEADING_STYLE = re.compile(r"^(?:heading|titre|kop)\s*(\d)$", re.IGNORECASE)
_LIST_NUMBER_STYLE = re.compile(r"^(?:list number|numbering|liste num|lijstnummering)", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*(?:[A-Z]{0,3}\d{1,3}[.)]|\d{1,3}\s*[-–—])\s+(?=\S)")
"""A paragraph that numbers itself: "1. ", "3) ", "R12. ", "F2) ", "4 – "."""


def read_docx(data: bytes) -> list[Block]:
    try:
        document = docx.Document(io.BytesIO(data))
    except PackageNotFoundError as error:
        raise UnreadableDocument(_("This file could not be read: it may be damaged.")) from error
    numbered_lists = _docx_numbered_lists(document)
    body_paragraphs = document.element.body.findall(qn("w:p"))
    blocks: list[Block] = []
    for paragraph, element in zip(document.paragraphs, body_paragraphs, strict=False):
        text = " ".join(paragraph.text.split())
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        heading = _HEADING_STYLE.match(style)
        if heading:
            blocks.append(Block("heading", text, int(heading.group(1))))
        elif style == "Title":
            blocks.append(Block("heading", text, 1))
        elif _LIST_NUMBER_STYLE.match(style) or _numbering_of(element) in numbered_lists or _NUMBERED.match(text):
            blocks.append(Block("item", _NUMBERED.sub("", text)))
        else:
            blocks.append(Block("paragraph", text))
    return blocks


def _numbering_of(paragraph: Any) -> str | None:
    """The list (`w:numId`) a DOCX paragraph belongs to, if any."""
    number = paragraph.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
    return number.get(qn("w:val")) if number is not None else None


def _docx_numbered_lists(document: Any) -> set[str]:
    """The lists (`w:numId`) of a DOCX whose first level counts (1, a, i…) rather than bullets."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return set()
    counted: set[str] = set()
    for abstract in numbering.findall(qn("w:abstractNum")):
        level = abstract.find(f"{qn('w:lvl')}/{qn('w:numFmt')}")
        if level is not None and level.get(qn("w:val")) not in ("bullet", "none"):
            counted.add(abstract.get(qn("w:abstractNumId")))
    return {
        num.get(qn("w:numId"))
        for num in numbering.findall(qn("w:num"))
        if (abstract_id := num.find(qn("w:abstractNumId"))) is not None and abstract_id.get(qn("w:val")) in counted
    }


def read_odt(data: bytes) -> list[Block]:
    document = load_odf(io.BytesIO(data))
    numbered_styles = _numbered_list_styles(document)
    return list(_odt_blocks(document.text.childNodes, numbered_styles, in_numbered_list=False))


def _numbered_list_styles(document: Any) -> set[str]:
    """Names of the list styles whose first level is numbered (not bullets)."""
    names: set[str] = set()
    for styles in (document.automaticstyles, document.styles):
        for style in styles.getElementsByType(odf_text.ListStyle):
            levels = [child for child in style.childNodes if isinstance(child, Element)]
            if levels and levels[0].qname == (TEXTNS, "list-level-style-number"):
                names.add(str(style.getAttribute("name")))
    return names


def _odt_blocks(nodes: Iterable[Any], numbered_styles: set[str], *, in_numbered_list: bool) -> Iterator[Block]:
    for node in nodes:
        if not isinstance(node, Element):
            continue
        if node.qname == (TEXTNS, "h"):
            text = " ".join(teletype.extractText(node).split())
            if text:
                level = node.getAttribute("outlinelevel")
                yield Block("heading", text, int(level) if level and str(level).isdigit() else 1)
        elif node.qname == (TEXTNS, "p"):
            text = " ".join(teletype.extractText(node).split())
            if text:
                numbered = in_numbered_list or bool(_NUMBERED.match(text))
                yield Block("item", _NUMBERED.sub("", text)) if numbered else Block("paragraph", text)
        elif node.qname == (TEXTNS, "list"):
            style = str(node.getAttribute("stylename") or "")
            numbered = style in numbered_styles if style else in_numbered_list
            for item in node.childNodes:
                if isinstance(item, Element) and item.qname == (TEXTNS, "list-item"):
                    yield from _list_item_blocks(item, numbered_styles, numbered)
        elif node.qname[0] == TEXTNS and node.qname[1] in ("section", "soft-page-break"):
            yield from _odt_blocks(node.childNodes, numbered_styles, in_numbered_list=in_numbered_list)


def _list_item_blocks(item: Any, numbered_styles: set[str], numbered: bool) -> Iterator[Block]:
    """A numbered item's first paragraph is the item; what follows inside it is its text."""
    first = True
    for block in _odt_blocks(item.childNodes, numbered_styles, in_numbered_list=False):
        if numbered and first and block.kind == "paragraph":
            yield Block("item", block.text)
        else:
            yield block
        first = False


_markdown = MarkdownIt("commonmark")


def read_markdown(data: bytes) -> list[Block]:
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = _("This Markdown file is not in UTF-8: save it as UTF-8 and send it again.")
        raise UnreadableDocument(message) from error
    if "\x00" in source:
        raise UnreadableDocument(_("This file could not be read: it may be damaged."))
    tokens = _markdown.parse(source)
    blocks: list[Block] = []
    lists: list[str] = []
    item_starts: list[bool] = []
    heading_level = 0
    for token in tokens:
        if token.type in ("ordered_list_open", "bullet_list_open"):
            lists.append(token.type)
        elif token.type in ("ordered_list_close", "bullet_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            item_starts.append(True)
        elif token.type == "list_item_close":
            item_starts.pop()
        elif token.type == "heading_open":
            heading_level = int(token.tag[1:])
        elif token.type == "inline":
            text = token.content.strip()
            if not text:
                continue
            if heading_level:
                blocks.append(Block("heading", " ".join(text.split()), heading_level))
                heading_level = 0
            elif item_starts and item_starts[-1] and lists[-1] == "ordered_list_open":
                blocks.append(Block("item", text))
                item_starts[-1] = False
            elif item_starts and item_starts[-1]:
                blocks.append(Block("paragraph", f"- {text}"))
                item_starts[-1] = False
            else:
                blocks.append(Block("paragraph", text))
    return blocks
