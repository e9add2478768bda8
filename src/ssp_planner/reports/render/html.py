"""Render a `Document` as one self-contained HTML page (styles and images inside) that prints
well: A4 pages, table headers repeated, the synthetic-data banner on every printed page.

The same page is what WeasyPrint turns into the PDF, so the CSS page rules here are the PDF's.
"""

from __future__ import annotations

import base64
from html import escape

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

NAVY, FLAG, GROUP = "#1F3864", "#FDE2E1", "#E8EDF5"
_CSS = """
@page { size: A4; margin: 22mm 16mm 20mm 16mm;
  @top-center { content: BANNER; color: #9B1C1C; font: bold 8.5pt sans-serif; }
  @bottom-left { content: FOOTER; color: #555; font: 7.5pt sans-serif; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages);
                  color: #555; font: 7.5pt sans-serif; } }
html { font-family: "DejaVu Sans", "Segoe UI", Arial, Helvetica, sans-serif; font-size: 9.5pt;
  color: #1a1a1a; line-height: 1.35; }
body { max-width: 190mm; margin: 0 auto; padding: 0 4mm; }
h1.title { font-size: 19pt; color: NAVY; margin: 0 0 2mm; }
p.subtitle { color: #444; margin: 0 0 6mm; }
h1 { font-size: 14pt; color: NAVY; border-bottom: 1.5pt solid NAVY; padding-bottom: 1mm;
  margin: 7mm 0 2.5mm; break-after: avoid; }
h2 { font-size: 11.5pt; color: NAVY; margin: 5mm 0 2mm; break-after: avoid; }
h3 { font-size: 10pt; margin: 4mm 0 1.5mm; break-after: avoid; }
p { margin: 0 0 2.5mm; }
p.note { color: #555; font-style: italic; }
p.warning { color: #9B1C1C; font-weight: bold; }
p.source, figcaption .source { color: #555; font-size: 7.5pt; margin-top: 1mm;
  font-weight: normal; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 1mm; font-size: 8.5pt; }
thead { display: table-header-group; }
th { background: NAVY; color: white; text-align: left; padding: 1.4mm 1.6mm;
  vertical-align: bottom; }
td { padding: 1.2mm 1.6mm; border-bottom: 0.5pt solid #c8ccd4; vertical-align: top; }
tr { break-inside: avoid; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
tr.group td { background: GROUP; font-weight: bold; color: NAVY; }
tr.flag td { background: FLAG; }
tr.flag td:first-child { box-shadow: inset 2.5pt 0 0 #C0392B; }
tr.total td { font-weight: bold; border-top: 1pt solid #333; }
caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 1mm; }
figure { margin: 2mm 0 4mm; break-inside: avoid; }
figure img { max-width: 100%; }
figcaption { font-weight: bold; font-size: 9pt; }
.keyfigures { display: flex; flex-wrap: wrap; gap: 3mm; margin: 2mm 0 1mm; }
.kf { border: 0.75pt solid #c8ccd4; border-top: 3pt solid NAVY; padding: 2mm 2.5mm;
  flex: 1 1 0; min-width: 0; }
.kf .v { font-size: 16pt; font-weight: bold; color: NAVY; }
.kf .l { font-size: 8pt; color: #333; }
ul { margin: 0 0 2.5mm 5mm; padding-left: 3mm; }
li { margin-bottom: 1mm; }
.banner { background: #9B1C1C; color: white; font-weight: bold; padding: 2mm 3mm;
  margin: 3mm 0; text-align: center; }
.pagebreak { break-after: page; }
@media print { .banner.screen, p.docfooter { display: none; } }
"""


def to_html(doc: Document) -> str:
    """The whole page as a string (UTF-8, no external resources)."""
    css = (
        _CSS.replace("BANNER", _css_string(doc.banner or ""))
        .replace("FOOTER", _css_string(doc.footer))
        .replace("NAVY", NAVY)
        .replace("GROUP", GROUP)
        .replace("FLAG", FLAG)
    )
    banner = f'<div class="banner screen">{escape(doc.banner)}</div>\n' if doc.banner else ""
    body = "\n".join(_block(b) for b in doc.blocks)
    footer = f'<p class="source docfooter">{escape(doc.footer)}</p>' if doc.footer else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(doc.title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        f'{banner}<h1 class="title">{escape(doc.title)}</h1>\n'
        f'<p class="subtitle">{escape(doc.subtitle)}</p>\n{body}\n{footer}\n'
        f"{banner}</body>\n</html>\n"
    )


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _text(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        level = min(block.level, 3)
        return f"<h{level}>{_text(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        cls = "" if block.style == "body" else f' class="{block.style}"'
        return f"<p{cls}>{_text(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{_text(i)}</li>" for i in block.items) + "</ul>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        data = base64.b64encode(block.png).decode("ascii")
        return (
            f'<figure><img src="data:image/png;base64,{data}" alt="{escape(block.alt)}" '
            f'style="width:{block.width_mm}mm"><figcaption>{_text(block.caption)}'
            f'<div class="source">{_text(block.source)}</div></figcaption></figure>'
        )
    if isinstance(block, KeyFigures):
        cards = "".join(
            f'<div class="kf"><div class="v">{_text(k.value)}</div>'
            f'<div class="l">{_text(k.label)}</div></div>'
            for k in block.items
        )
        return f'<div class="keyfigures">{cards}</div><p class="source">{_text(block.source)}</p>'
    if isinstance(block, PageBreak):
        return '<div class="pagebreak"></div>'
    raise TypeError(f"unknown block {type(block).__name__}")


def _table(t: Table) -> str:
    n = len(t.columns)
    cols = ""
    if t.widths:
        total = sum(t.widths)
        cols = (
            "<colgroup>"
            + "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in t.widths)
            + "</colgroup>"
        )
    head = "".join(f"<th{_num(i, t)}>{_text(c)}</th>" for i, c in enumerate(t.columns))
    rows = []
    for r, row in enumerate(t.rows):
        if r in t.groups:
            rows.append(f'<tr class="group"><td colspan="{n}">{_text(row[0])}</td></tr>')
            continue
        cls = " ".join(c for c, on in (("flag", r in t.flagged), ("total", r in t.totals)) if on)
        cells = "".join(f"<td{_num(i, t)}>{_text(v)}</td>" for i, v in enumerate(row))
        attr = f' class="{cls}"' if cls else ""
        rows.append(f"<tr{attr}>{cells}</tr>")
    caption = f"<caption>{_text(t.caption)}</caption>" if t.caption else ""
    return (
        f"<table>{caption}{cols}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
        f'</table>\n<p class="source">{_text(t.source)}</p>'
    )


def _num(index: int, t: Table) -> str:
    names = [n for n, on in (("num", index in t.numeric), ("nowrap", index in t.nowrap)) if on]
    return f' class="{" ".join(names)}"' if names else ""
