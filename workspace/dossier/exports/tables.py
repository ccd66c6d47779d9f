"""CSV and XLSX: one row per recommendation (adopted, then not adopted) with its vote figures. The optional
annex with the discussion has no place in such a table: these formats leave it out (the export form says so).

Control characters are taken out of text first (XML cannot carry most of them, and they would hide what a
cell starts with). Then, in CSV, a cell that starts with = + - @, a tab or a carriage return gets a leading
apostrophe, since a spreadsheet opening the file would run it as a formula (OWASP "CSV injection"). XLSX
needs no apostrophe: its text cells are written as strings, which a spreadsheet never runs.
"""

from __future__ import annotations

import csv
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font

from workspace.dossier.content import DossierContent, Entry
from workspace.dossier.exports.labels import labels, side_name

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PERCENT_FORMATS = {"fr": "0 %"}
"""Shares are numbers (0.6364) shown as percentages: "64 %" in French (a space before the sign), "64%"
otherwise."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters but tab, line feed and carriage return (which text may hold, and XML carries)."""
TEXT_COLUMNS = (
    "title",
    "finding",
    "proposal",
    "institutions",
    "expected_effect",
    "scheme_fr",
    "scheme_wal",
    "scheme_vl",
    "harmonisation",
)


def text_cell(value: object) -> object:
    """A value for an XLSX cell: text without its control characters."""
    return _CONTROL.sub("", value) if isinstance(value, str) else value


def escape_formula(value: object) -> object:
    """A value for a CSV cell: text without its control characters, then the apostrophe if it would run."""
    value = text_cell(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _sides(content: DossierContent) -> list[str]:
    return next((list(e.votes.sides) for e in [*content.entries(), *content.annex] if e.votes), ["fr", "be"])


def percent_columns(content: DossierContent, languages: tuple[str, ...]) -> range:
    """The columns (from 0) of the shares: turnout, support, support on each side."""
    turnout = 4 + len(TEXT_COLUMNS) * len(languages) + 6
    return range(turnout, turnout + 2 + len(_sides(content)))


def header(content: DossierContent, languages: tuple[str, ...]) -> list[str]:
    words = labels(languages[0])
    columns = [words["number"], words["axis"], words["status"], words["action_level"]]
    for name in TEXT_COLUMNS:
        for language in languages:
            columns.append(f"{labels(language)[name]} ({language})")
    columns += [
        words["for"],
        words["against"],
        words["abstain"],
        words["block"],
        words["cast"],
        words["eligible"],
        words["turnout"],
        words["support"],
    ]
    columns += [words["support_on"].format(side=side_name(side, languages[0])) for side in _sides(content)]
    columns += [words["failed"], words["minority_views"]]
    return columns


def _row(content: DossierContent, entry: Entry, languages: tuple[str, ...]) -> list[object]:
    words = labels(languages[0])
    row: list[object] = [
        entry.number,
        content.axis_name(entry.axis_code, languages[0]),
        words["adopted"] if entry.status == "adopted" else words["not_adopted"],
        words.get(entry.action_level, entry.action_level),
    ]
    for name in TEXT_COLUMNS:
        row += [entry.text[language][name] for language in languages]
    votes = entry.votes
    if votes:
        row += [
            votes.for_,
            votes.against,
            votes.abstain,
            votes.block,
            votes.cast,
            votes.eligible,
            round(votes.turnout, 4) if votes.turnout is not None else None,
            round(votes.support, 4) if votes.support is not None else None,
        ]
        row += [round(value, 4) if value is not None else None for value in votes.sides.values()]
        row.append(", ".join(votes.failed))
    else:
        row += [None] * 9
    row.append("\n".join(f"{view.choice}: {view.reason}" for view in entry.minority_views))
    return row


def rows(content: DossierContent, languages: tuple[str, ...]) -> list[list[object]]:
    return [_row(content, entry, languages) for entry in [*content.entries(), *content.annex]]


def render_csv(content: DossierContent, languages: tuple[str, ...]) -> bytes:
    """Semicolon-separated UTF-8 with a byte order mark: what Excel opens right in France and Belgium."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header(content, languages))
    for row in rows(content, languages):
        writer.writerow(["" if value is None else escape_formula(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def render_xlsx(content: DossierContent, languages: tuple[str, ...]) -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"{content.year}"
    sheet.append(header(content, languages))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(content, languages):
        sheet.append([text_cell(value) for value in row])
    shares = percent_columns(content, languages)
    share_format = PERCENT_FORMATS.get(languages[0], "0%")
    for row in sheet.iter_rows(min_row=2):
        for index, cell in enumerate(row):
            if isinstance(cell.value, str):
                cell.data_type = "s"
            elif index in shares and cell.value is not None:
                cell.number_format = share_format
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
