"""Exports of the dossier, one module per format, each rendering the same content model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workspace.dossier.content import DossierContent


@dataclass(frozen=True)
class Format:
    extension: str
    media_type: str
    render: Callable[[DossierContent, tuple[str, ...]], bytes]


def _formats() -> dict[str, Format]:
    from workspace.dossier.exports.document import render_html
    from workspace.dossier.exports.docx import render_docx
    from workspace.dossier.exports.json_export import render_json
    from workspace.dossier.exports.markdown import render_markdown
    from workspace.dossier.exports.odt import render_odt
    from workspace.dossier.exports.pdf import render_pdf
    from workspace.dossier.exports.tables import render_csv, render_xlsx

    return {
        "pdf": Format("pdf", "application/pdf", render_pdf),
        "docx": Format("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", render_docx),
        "odt": Format("odt", "application/vnd.oasis.opendocument.text", render_odt),
        "html": Format("html", "text/html; charset=utf-8", render_html),
        "md": Format("md", "text/markdown; charset=utf-8", render_markdown),
        "csv": Format("csv", "text/csv; charset=utf-8", render_csv),
        "xlsx": Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", render_xlsx),
        "json": Format("json", "application/json", render_json),
    }


FORMAT_NAMES = ("pdf", "docx", "odt", "html", "md", "csv", "xlsx", "json")
WITH_DISCUSSION = ("pdf", "docx", "odt", "html", "md", "json")
"""The formats that can carry the annex with the discussion; CSV and XLSX have one row per recommendation."""
_cache: dict[str, Format] = {}


def get_format(name: str) -> Format:
    """KeyError for an unknown format. The formats' libraries are imported on first use."""
    if not _cache:
        _cache.update(_formats())
    return _cache[name]


def render(content: DossierContent, name: str, languages: tuple[str, ...]) -> bytes:
    return get_format(name).render(content, languages)
