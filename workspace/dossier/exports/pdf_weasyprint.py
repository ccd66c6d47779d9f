"""PDF through WeasyPrint: A4, page numbers, a table of contents with page numbers, bookmarks from the
headings, tagged so that assistive technology finds the structure.

WeasyPrint lays a 300-recommendation dossier out in one thread, in a minute or more and over a gigabyte,
so the PDF is made in parts:

1. The recommendations are cut into parts of about PART_WEIGHT characters (a part starts on a new page:
   at a section, or between two recommendations), and each part is rendered to a tagged PDF on its own,
   by WORKERS processes at once (spawned: the app's threads are not copied). Each part says how many
   pages it has and where its headings and link targets are. This process joins each part to the
   previous ones as it comes (pdf_merge.py: pages, structure tree, named destinations for the links),
   while the workers lay out the next ones.
2. The cover and table of contents are rendered once the page of every heading is known (with
   placeholders first, laid out only, in parallel with the parts, to learn how many pages they take),
   and put before the parts, with one outline for the whole.
3. The page numbers ("12 / 340") are drawn over the pages as pagination artifacts: WeasyPrint renders
   one number of each length and the digits, and pdf_merge writes each page's number from them.

A small dossier makes a single part, rendered in this process.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

from workspace.dossier.content import AxisSection, DossierContent, Entry, EntryDiscussion
from workspace.dossier.exports import pdf_merge
from workspace.dossier.exports.document import folios, print_part

PART_WEIGHT = 120_000
"""Characters of text (in the export's languages) per part: about 40 pages side by side, 160 MB to lay out."""
WORKERS = max(1, min(2, len(os.sched_getaffinity(0))))
"""Processes rendering parts at once (the machines this runs on have two cores)."""
ENTRY_OVERHEAD = 1_500
"""What a recommendation weighs besides its text: headings, the vote table."""
COMMENT_OVERHEAD = 150
"""What a comment weighs besides its text: its author and date."""
PLACEHOLDER_PAGE = "999"
"""The page number printed in the contents while the pages are not known yet (as wide as a real one)."""


@dataclass
class Block:
    """A section of the dossier, or the recommendations of one continuing from the previous part."""

    kind: str
    """introduction, axis, annex or discussion"""
    axis: AxisSection | None = None
    entries: list[Entry | EntryDiscussion] = field(default_factory=list)
    """Recommendations, or for the discussion annex, their discussions."""
    continued: bool = False


@dataclass
class Part:
    front: bool = False
    """The cover and the table of contents."""
    blocks: list[Block] = field(default_factory=list)
    pages: dict[str, str] | None = None
    """For the front: the page number printed for each target of the contents."""


@dataclass
class Rendered:
    pdf: bytes
    page_count: int
    anchors: dict[str, int]
    """Page (counted from 0 in the part) of each element with an id."""
    bookmarks: list[pdf_merge.Bookmark]


def _weight(entry: Entry | EntryDiscussion, languages: tuple[str, ...]) -> int:
    if isinstance(entry, EntryDiscussion):
        return COMMENT_OVERHEAD * (1 + len(entry.comments)) + sum(len(comment.body) for comment in entry.comments)
    return ENTRY_OVERHEAD + sum(len(text) for language in languages for text in entry.text[language].values())


def parts(content: DossierContent, languages: tuple[str, ...], part_weight: int = PART_WEIGHT) -> list[Part]:
    """The body of the dossier cut into parts of about part_weight characters, in reading order."""
    sections: list[Block] = [Block("introduction")]
    sections += [Block("axis", axis=axis, entries=list(axis.entries)) for axis in content.axes]
    if content.annex:
        sections.append(Block("annex", entries=list(content.annex)))
    if content.discussion is not None:
        sections.append(Block("discussion", entries=list(content.discussion)))
    result: list[Part] = [Part()]
    weight = 0
    for section in sections:
        first = _weight(section.entries[0], languages) if section.entries else 0
        if weight > 0 and weight + ENTRY_OVERHEAD + first > part_weight:
            result.append(Part())
            weight = 0
        block = Block(section.kind, axis=section.axis)
        result[-1].blocks.append(block)
        weight += ENTRY_OVERHEAD
        for entry in section.entries:
            entry_weight = _weight(entry, languages)
            if block.entries and weight + entry_weight > part_weight:
                block = Block(section.kind, axis=section.axis, continued=True)
                result.append(Part(blocks=[block]))
                weight = 0
            block.entries.append(entry)
            weight += entry_weight
    return result


def render_part(content: DossierContent, languages: tuple[str, ...], part: Part) -> Rendered:
    """Lay out and write one part (in a worker process, or here for a small dossier)."""
    from weasyprint import HTML

    if not gc.isenabled() and not part.front:
        gc.collect()  # in a worker: the previous task's garbage (_start_worker)
    document = HTML(string=print_part(content, languages, part)).render()
    data = document.write_pdf(pdf_tags=True)
    assert data is not None
    anchors: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)  # an element over several pages starts on the first one
    bookmarks = [
        pdf_merge.Bookmark(level, label, index, x * 0.75, (page.height - y) * 0.75)
        for index, page in enumerate(document.pages)
        for level, label, (x, y), _state in page.bookmarks
    ]
    return Rendered(data, len(document.pages), anchors, bookmarks)


def count_pages(content: DossierContent, languages: tuple[str, ...], part: Part) -> int:
    """The number of pages of a part, laid out but not written (the front with placeholder numbers)."""
    from weasyprint import HTML

    return len(HTML(string=print_part(content, languages, part)).render().pages)


def render_folios(total: int, language: str) -> bytes:
    """What pdf_merge draws the page numbers with: a page numbered 0123456789 (the digits' glyphs), then
    pages numbered 0, 00, 000... up to as many digits as total (where a number of that length goes)."""
    from weasyprint import HTML

    numbers = ["0123456789", *("0" * length for length in range(1, len(str(total)) + 1))]
    data = HTML(string=folios(numbers, total, language)).write_pdf()
    assert data is not None
    return data


class _HereExecutor(Executor):
    """Runs each task at once in this process (a dossier of one part is not worth a process)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


def _start_worker() -> None:
    """WeasyPrint makes millions of objects while laying a part out; the cyclic garbage collector, at its
    usual thresholds, walks all of them again and again (about an eighth of the time). A worker process
    does without it: each part's garbage is collected when the next part starts (render_part), so that
    the result goes back at once, and the front and page numbers, last, do not wait for a collection."""
    gc.disable()


@contextmanager
def _executor(workers: int) -> Iterator[Executor]:
    if workers <= 1:
        yield _HereExecutor()
        return
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_start_worker)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)  # a failed part: the queued ones are not rendered
        raise
    pool.shutdown(wait=True)


def _page_numbers(
    content: DossierContent, rendered: list[Rendered], front_pages: int
) -> tuple[dict[str, str], list[int], int]:
    """The printed page of each target of the contents, the first page (from 0) of each part, the total."""
    offsets = []
    offset = front_pages
    for part in rendered:
        offsets.append(offset)
        offset += part.page_count
    found: dict[str, int] = {}
    for part, start in zip(rendered, offsets, strict=True):
        for name, index in part.anchors.items():
            found.setdefault(name, start + index)
    return {target: str(found[target] + 1) for target in _targets(content)}, offsets, offset


def render_pdf(
    content: DossierContent, languages: tuple[str, ...], *, part_weight: int = PART_WEIGHT, workers: int = WORKERS
) -> bytes:
    body = parts(content, languages, part_weight)
    merger = pdf_merge.Merger()
    with _executor(min(workers, len(body))) as executor:
        placeholders = dict.fromkeys(_targets(content), PLACEHOLDER_PAGE)
        draft_front = executor.submit(count_pages, content, languages, Part(front=True, pages=placeholders))
        pending = [executor.submit(render_part, content, languages, part) for part in body]
        joined = 0
        for future in pending:  # each part is joined here while the workers lay out the next ones
            future.result()
            while joined < len(pending) and pending[joined].done() and not all(f.done() for f in pending):
                merger.add(pending[joined].result())
                joined += 1
        rendered = [future.result() for future in pending]
        front_pages = draft_front.result()
        for _attempt in range(3):
            pages, offsets, total = _page_numbers(content, rendered, front_pages)
            front_future = executor.submit(render_part, content, languages, Part(front=True, pages=pages))
            folios = executor.submit(render_folios, total, languages[0])
            for part in rendered[joined:]:  # the last ones, while the front is laid out
                merger.add(part)
            joined = len(rendered)
            front = front_future.result()
            if front.page_count == front_pages:
                break
            front_pages = front.page_count  # the real numbers wrapped a title differently: once more
        else:
            raise RuntimeError("the table of contents does not settle on a number of pages")
        numbers = folios.result()
        ending = threading.Thread(target=executor.shutdown)  # the workers end while the PDF is written
        ending.start()
        try:
            data = merger.finish(front, rendered, offsets, numbers)
        finally:
            ending.join()
    return data


def _targets(content: DossierContent) -> list[str]:
    targets = ["introduction", *(f"axis-{axis.code}" for axis in content.axes)]
    targets += [f"rec-{entry.id}" for entry in content.entries()]
    if content.annex:
        targets.append("annex")
    if content.discussion is not None:
        targets.append("discussion")
    return targets
