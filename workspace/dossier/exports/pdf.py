"""PDF through WeasyPrint: A4, page numbers, a table of contents with page numbers, bookmarks from the
headings, tagged so that assistive technology finds the structure."""

from __future__ import annotations

from weasyprint import HTML

from workspace.dossier.content import DossierContent
from workspace.dossier.exports.document import standalone


def render_pdf(content: DossierContent, languages: tuple[str, ...]) -> bytes:
    html = standalone(content, languages, for_print=True)
    pdf = HTML(string=html).write_pdf(pdf_tags=True)
    assert pdf is not None
    return pdf
