"""The dossier as an HTML document, rendered from the content model by templates/dossier/_document.html.

The preview page includes the same template; the HTML export wraps it in a standalone page. The PDF is
made of parts (pdf.py) rendered by templates/dossier/_print_part.html with the same macros.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from workspace.core.templating import configure_environment
from workspace.dossier.content import DossierContent, Entry
from workspace.dossier.exports.labels import failed_text, labels, percent, side_name
from workspace.settings import PROJECT_ROOT

PRINT_CSS = """
@page { size: A4; margin: 22mm 18mm 22mm 18mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.45; color: #111; }
h1 { font-size: 22pt; margin: 0 0 8mm; bookmark-level: 1; }
h2 { font-size: 15pt; margin-top: 8mm; bookmark-level: 1; }
h3 { font-size: 12pt; margin-top: 6mm; bookmark-level: 2; break-after: avoid; }
h4 { font-size: 10pt; margin: 3mm 0 1mm; bookmark-level: none; break-after: avoid; }
.markdown h1, .markdown h2, .markdown h3, .markdown h4, .markdown h5, .markdown h6 { bookmark-level: none; }
.dossier__cover { break-after: page; padding-top: 60mm; }
.dossier__cover h1 { bookmark-level: none; }
.dossier__toc { break-after: page; }
.dossier__toc h2 { bookmark-level: none; }
.dossier__toc ol { list-style: none; padding-left: 0; }
.dossier__toc ol ol { padding-left: 6mm; }
.dossier__toc a { color: inherit; text-decoration: none; }
.dossier__toc a::after { content: leader("....") attr(data-page); }
.dossier__target { position: absolute; }
.dossier__section { break-before: page; }
.dossier__entry { break-inside: auto; }
.dossier__table { border-collapse: collapse; width: 100%; margin: 2mm 0; font-size: 9pt; table-layout: fixed; }
.dossier__table th, .dossier__table td { border: 0.5pt solid #999; padding: 1.5mm; vertical-align: top;
  text-align: left; }
.bilingual { display: table; width: 100%; table-layout: fixed; }
.bilingual__column { display: table-cell; width: 50%; padding-right: 4mm; vertical-align: top; }
.dossier__note { font-style: italic; color: #555; }
.dossier__comment { margin: 0 0 2mm; }
.dossier__comment-meta { font-size: 8.5pt; color: #555; margin: 0; break-after: avoid; }
.dossier__comment--depth-1 { margin-left: 6mm; } .dossier__comment--depth-2 { margin-left: 12mm; }
.dossier__comment--depth-3 { margin-left: 18mm; } .dossier__comment--depth-4 { margin-left: 24mm; }
"""
"""The PDF's parts (pdf.py): page numbers are not in the margin boxes but drawn over each page afterwards
(FOLIO_CSS), the table of contents prints the numbers it is given (data-page). Its leaders repeat four dots:
WeasyPrint draws each repetition as a text of its own (with one dot, drawing the contents took most of its
time)."""
FOLIO_CSS = """
@page { size: A4; margin: 22mm 18mm 22mm 18mm;
  @bottom-center { content: string(folio); font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #555; } }
body { margin: 0; } .folio { break-before: page; height: 1px; }
"""
SCREEN_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
.dossier__table { border-collapse: collapse; width: 100%; }
.dossier__table th, .dossier__table td { border: 1px solid #999; padding: .4rem; vertical-align: top;
  text-align: left; }
.bilingual { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; }
.dossier__note { font-style: italic; color: #555; }
.dossier__comment-meta { color: #555; margin-bottom: 0; }
.dossier__comment--depth-1 { margin-left: 1.5rem; } .dossier__comment--depth-2 { margin-left: 3rem; }
.dossier__comment--depth-3 { margin-left: 4.5rem; } .dossier__comment--depth-4 { margin-left: 6rem; }
"""


def _dict_of(entry: Entry, name: str) -> dict[str, str]:
    return {language: texts.get(name, "") for language, texts in entry.text.items()}


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(PROJECT_ROOT / "templates"), autoescape=select_autoescape())
    configure_environment(env)
    env.globals.update(template_globals())
    return env


def template_globals() -> dict[str, Any]:
    return {"dict_of": _dict_of, "failed_text": failed_text, "side_name": side_name, "percent": percent}


def context(content: DossierContent, languages: tuple[str, ...]) -> dict[str, Any]:
    return {
        "content": content,
        "languages": languages,
        "words": {lang: labels(lang) for lang in languages},
        "plain": False,
    }


def body(content: DossierContent, languages: tuple[str, ...]) -> Markup:
    return Markup(environment().get_template("dossier/_document.html").render(context(content, languages)))  # noqa: S704 - autoescaped template


def _page(title: str, language: str, css: str, inside: str) -> str:
    return (
        f'<!doctype html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{Markup.escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n{inside}\n</body>\n</html>\n"
    )


def standalone(content: DossierContent, languages: tuple[str, ...]) -> str:
    title = " / ".join(content.title[language] for language in languages)
    return _page(title, languages[0], SCREEN_CSS, body(content, languages))


def print_part(content: DossierContent, languages: tuple[str, ...], part: Any) -> str:
    """One part of the PDF (pdf.Part): the cover and contents, or a run of sections and recommendations."""
    title = " / ".join(content.title[language] for language in languages)
    inside = (
        environment()
        .get_template("dossier/_print_part.html")
        .render({**context(content, languages), "part": part, "plain": True})
    )
    return _page(title, languages[0], PRINT_CSS, inside)


def folios(numbers: list[str], total: int, language: str) -> str:
    """One page for each of numbers, holding nothing but "number / total" where the page numbers of the PDF
    go (pdf_merge.add_folios draws them over its pages)."""
    pages = "".join(f'<div class="folio" style="string-set: folio \'{number} / {total}\'"></div>' for number in numbers)
    return _page("", language, FOLIO_CSS, pages)


def render_html(content: DossierContent, languages: tuple[str, ...]) -> bytes:
    return standalone(content, languages).encode()
