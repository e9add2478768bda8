"""Render a `Document` as a Word file with real headings (Heading 1–3 styles, so Word's
navigation pane and table of contents work) and real tables (header row repeated on each page).

The synthetic-data banner sits in the page header, so it is on every page; the footer carries
the provenance line and 'Page X of Y'.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from ssp_planner import __version__
from ssp_planner.reports.render.document import (
    Block,
    Bullets,
    Document,
    Figure,
    Heading,
    KeyFigures,
    PageBreak,
    Paragraph,
    Table,
)

NAVY, RED, GREY = RGBColor(0x1F, 0x38, 0x64), RGBColor(0x9B, 0x1C, 0x1C), RGBColor(0x55, 0x55, 0x55)
FILL_HEAD, FILL_FLAG, FILL_GROUP = "1F3864", "FDE2E1", "E8EDF5"
TEXT_WIDTH_MM = 178


def write_docx(doc: Document, path: Path) -> Path:
    out = new_docx()
    _page_setup(out, doc)
    out.add_heading(doc.title, 0)
    sub = out.add_paragraph(doc.subtitle)
    sub.runs[0].font.color.rgb = GREY
    for block in doc.blocks:
        _block(out, block)
    props = out.core_properties
    props.title, props.author = doc.title, f"SSP Planner {__version__}"
    props.subject = doc.meta.get("subject", doc.subtitle)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.save(str(path))
    return path


def _page_setup(out: DocxDocument, doc: Document) -> None:
    """A4 portrait, 16 mm side margins, 10 pt body; banner in the header, page numbers below."""
    normal = out.styles["Normal"]
    normal.font.name, normal.font.size = "Calibri", Pt(10)
    section = out.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(16)
    section.top_margin, section.bottom_margin = Mm(22), Mm(20)
    if doc.banner:
        head = section.header.paragraphs[0]
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = head.add_run(doc.banner)
        run.bold, run.font.size, run.font.color.rgb = True, Pt(8.5), RED
    foot = section.footer.paragraphs[0]
    run = foot.add_run(f"{doc.footer}    Page ")
    _field(foot, "PAGE")
    foot.add_run(" of ")
    _field(foot, "NUMPAGES")
    for r in foot.runs:
        r.font.size, r.font.color.rgb = Pt(7.5), GREY


def _field(paragraph: DocxParagraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in when they lay out pages."""
    run = paragraph.add_run()
    for kind, text in (
        ("begin", None),
        (None, code),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText" if text == code else "w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _block(out: DocxDocument, block: Block) -> None:
    if isinstance(block, Heading):
        out.add_heading(block.text, min(block.level, 3))
    elif isinstance(block, Paragraph):
        _paragraph(out, block)
    elif isinstance(block, Bullets):
        for item in block.items:
            out.add_paragraph(item, style="List Bullet")
    elif isinstance(block, Table):
        _table(out, block)
    elif isinstance(block, Figure):
        out.add_picture(io.BytesIO(block.png), width=Mm(min(block.width_mm, TEXT_WIDTH_MM)))
        cap = out.add_paragraph(block.caption, style="Caption")
        cap.paragraph_format.keep_with_next = True
        _source(out, block.source)
    elif isinstance(block, KeyFigures):
        _key_figures(out, block)
    elif isinstance(block, PageBreak):
        out.add_page_break()
    else:
        raise TypeError(f"unknown block {type(block).__name__}")


def _paragraph(out: DocxDocument, block: Paragraph) -> None:
    if block.style == "source":
        _source(out, block.text)
        return
    par = out.add_paragraph()
    run = par.add_run(block.text)
    if block.style == "note":
        run.italic, run.font.color.rgb = True, GREY
    elif block.style == "warning":
        run.bold, run.font.color.rgb = True, RED


def _source(out: DocxDocument, text: str) -> None:
    par = out.add_paragraph()
    run = par.add_run(text)
    run.italic, run.font.size, run.font.color.rgb = True, Pt(7.5), GREY
    par.paragraph_format.space_after = Pt(8)


def _table(out: DocxDocument, t: Table) -> None:
    if t.caption:
        cap = out.add_paragraph(t.caption, style="Caption")
        cap.paragraph_format.keep_with_next = True
    table = out.add_table(rows=1, cols=len(t.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = _widths_mm(t)
    head = table.rows[0]
    _repeat_header(head._tr)
    for i, name in enumerate(t.columns):
        _cell(head.cells[i], name, bold=True, colour=RGBColor(255, 255, 255), fill=FILL_HEAD)
    for r, values in enumerate(t.rows):
        cells = table.add_row().cells
        if r in t.groups:
            merged = cells[0].merge(cells[-1])
            _cell(merged, values[0], bold=True, colour=NAVY, fill=FILL_GROUP)
            continue
        fill = FILL_FLAG if r in t.flagged else None
        for i, value in enumerate(values):
            _cell(cells[i], value, bold=r in t.totals, fill=fill, right=i in t.numeric)
    _set_widths(table, widths)
    _source(out, t.source)


def _set_widths(table: DocxTable, widths: list[float]) -> None:
    """Column widths in the grid (LibreOffice reads these) and on every cell (Word does)."""
    table.autofit = False
    for i, column in enumerate(table.columns):
        column.width = Mm(widths[i])
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = Mm(widths[min(i, len(widths) - 1)])


def _widths_mm(t: Table) -> list[float]:
    weights = list(t.widths) or [max(len(c), 8) for c in t.columns]
    total = sum(weights)
    return [TEXT_WIDTH_MM * w / total for w in weights]


def _cell(
    cell: _Cell,
    text: str,
    *,
    bold: bool = False,
    colour: RGBColor | None = None,
    fill: str | None = None,
    right: bool = False,
) -> None:
    par = cell.paragraphs[0]
    run = par.add_run(text)
    run.font.size, run.bold = Pt(8.5), bold
    if colour is not None:
        run.font.color.rgb = colour
    if right:
        par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if fill:
        shade = OxmlElement("w:shd")
        shade.set(qn("w:val"), "clear")
        shade.set(qn("w:color"), "auto")
        shade.set(qn("w:fill"), fill)
        cell._tc.get_or_add_tcPr().append(shade)


def _repeat_header(tr: object) -> None:
    """Mark the row as a header row: Word repeats it at the top of every page the table spans."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr.get_or_add_trPr().append(flag)  # type: ignore[attr-defined]


def _key_figures(out: DocxDocument, block: KeyFigures) -> None:
    table = out.add_table(rows=1, cols=len(block.items))
    for cell, item in zip(table.rows[0].cells, block.items, strict=True):
        value = cell.paragraphs[0].add_run(item.value)
        value.bold, value.font.size, value.font.color.rgb = True, Pt(16), NAVY
        label = cell.add_paragraph().add_run(item.label)
        label.font.size = Pt(8)
    _source(out, block.source)
