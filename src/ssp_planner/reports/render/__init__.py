"""One document model (document.py) and its renderers: DOCX, HTML, Markdown and PDF.

render(doc, Path("report.pdf"))              # format from the suffix
render(doc, Path("report"), fmt="docx")      # or named; the suffix is added
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from ssp_planner.errors import SSPError
from ssp_planner.reports.render.document import (
    Block,
    Bullets,
    Document,
    Figure,
    Heading,
    KeyFigure,
    KeyFigures,
    PageBreak,
    Paragraph,
    Table,
)


class Format(StrEnum):
    DOCX = "docx"
    PDF = "pdf"
    HTML = "html"
    MD = "md"


def _writer(fmt: Format) -> Callable[[Document, Path], Path]:
    """Imported on use: python-docx and WeasyPrint load only for the format asked for."""
    if fmt is Format.DOCX:
        from ssp_planner.reports.render.docx import write_docx

        return write_docx
    if fmt is Format.PDF:
        from ssp_planner.reports.render.pdf import write_pdf

        return write_pdf
    if fmt is Format.MD:
        from ssp_planner.reports.render.markdown import write_markdown

        return write_markdown
    return _write_html


def _write_html(doc: Document, path: Path) -> Path:
    from ssp_planner.reports.render.html import to_html

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_html(doc), encoding="utf-8")
    return path


def output_format(path: Path, fmt: Format | str | None) -> tuple[Path, Format]:
    """The format (named, else from the suffix) and the path with the matching suffix."""
    if fmt is None:
        suffix = path.suffix.lower().lstrip(".")
        try:
            fmt = Format("html" if suffix == "htm" else suffix)
        except ValueError:
            raise SSPError(
                f"{path.name}: cannot tell the report format from '{path.suffix or 'no suffix'}'. "
                f"Fix: end the name with .{', .'.join(Format)} or pass --format."
            ) from None
    fmt = Format(fmt)
    if path.suffix.lower().lstrip(".") != fmt.value:
        path = path.with_name(path.name + f".{fmt.value}")
    return path, fmt


def render(doc: Document, path: Path, fmt: Format | str | None = None) -> Path:
    """Write `doc` to `path` as DOCX, PDF, HTML or Markdown; returns the path written."""
    path, chosen = output_format(Path(path), fmt)
    return _writer(chosen)(doc, path)


__all__ = [
    "Block",
    "Bullets",
    "Document",
    "Figure",
    "Format",
    "Heading",
    "KeyFigure",
    "KeyFigures",
    "PageBreak",
    "Paragraph",
    "Table",
    "output_format",
    "render",
]
