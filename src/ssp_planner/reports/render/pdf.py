"""Render a `Document` as PDF: WeasyPrint lays out the printable HTML page (html.py).

WeasyPrint needs Pango from the operating system (Debian: libpango-1.0-0, libpangoft2-1.0-0)
and a font (fonts-dejavu-core); when either is missing the error says how to install them.
"""

from __future__ import annotations

from pathlib import Path

from ssp_planner.errors import SSPError
from ssp_planner.reports.render.document import Document
from ssp_planner.reports.render.html import to_html

INSTALL_HELP = (
    "Fix: install WeasyPrint into the environment (pip install weasyprint==70.0) and its "
    "system libraries (Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
    "fonts-dejavu-core), or write --format docx or html and print that to PDF."
)


def write_pdf(doc: Document, path: Path) -> Path:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango's shared library is missing
        raise SSPError(
            f"cannot write PDF: WeasyPrint is unavailable ({exc}). {INSTALL_HELP}"
        ) from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=to_html(doc)).write_pdf(str(path))
    return path


def pdf_available() -> bool:
    """True when PDFs can be written here (tests skip, with this reason, when they cannot)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True
