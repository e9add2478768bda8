"""One document model for every report, rendered to DOCX, HTML, Markdown and PDF alike.

Report builders say *what* a report contains (headings, paragraphs, tables of text, figures
with their sources); the renderers decide how it looks. Cells are already formatted text, so
every format shows the very same figures, and tests can compare them with the stored data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ParagraphStyle = Literal["body", "note", "warning", "source"]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 = section, 2 = subsection, 3 = minor


@dataclass(frozen=True)
class Paragraph:
    """Body text; 'note' (muted), 'warning' (flagged) or 'source' (small, under a figure)."""

    text: str
    style: ParagraphStyle = "body"


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of text cells. Row indexes in `groups` are headings spanning the whole row,
    in `flagged` are highlighted (overdue, over budget), in `totals` are bold."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    source: str
    numeric: frozenset[int] = frozenset()  # right-aligned column indexes
    nowrap: frozenset[int] = frozenset()  # columns kept on one line (dates), where supported
    groups: frozenset[int] = frozenset()
    flagged: frozenset[int] = frozenset()
    totals: frozenset[int] = frozenset()
    widths: tuple[int, ...] = ()  # relative column widths; empty: let the renderer decide
    caption: str = ""

    def __post_init__(self) -> None:
        bad = [
            i
            for i, r in enumerate(self.rows)
            if i not in self.groups and len(r) != len(self.columns)
        ]
        if bad:
            raise ValueError(f"table rows {bad} do not have {len(self.columns)} cells")
        if self.widths and len(self.widths) != len(self.columns):
            raise ValueError("one width per column")


@dataclass(frozen=True)
class Figure:
    """A PNG image with its caption and the source and date of what it shows."""

    png: bytes
    caption: str
    source: str
    alt: str
    width_mm: int = 165


@dataclass(frozen=True)
class KeyFigure:
    value: str
    label: str


@dataclass(frozen=True)
class KeyFigures:
    """Headline numbers shown large, with one source line for the group."""

    items: tuple[KeyFigure, ...]
    source: str


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Bullets | Table | Figure | KeyFigures | PageBreak


@dataclass(frozen=True)
class Document:
    """A report. `banner` (synthetic data warning) is printed on every page: page header in
    DOCX and PDF, top and bottom in HTML and Markdown."""

    title: str
    subtitle: str
    blocks: tuple[Block, ...]
    banner: str | None = None
    footer: str = ""
    meta: dict[str, str] = field(default_factory=dict)  # e.g. author, subject (DOCX properties)

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def headings(self, level: int | None = None) -> list[str]:
        return [
            b.text
            for b in self.blocks
            if isinstance(b, Heading) and (level is None or b.level == level)
        ]
