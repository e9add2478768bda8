"""Render a `Document` as Markdown (GitHub tables) for wikis and e-mail; figures are written as
PNG files next to the .md file and linked by name."""

from __future__ import annotations

from pathlib import Path

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


def write_markdown(doc: Document, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figures = iter(range(1, len(doc.blocks) + 1))
    parts = [f"> **{doc.banner}**\n"] if doc.banner else []
    parts += [f"# {doc.title}\n", f"*{_escape(doc.subtitle)}*\n"]
    for block in doc.blocks:
        if isinstance(block, Figure):
            name = f"{path.stem}-figure-{next(figures)}.png"
            (path.parent / name).write_bytes(block.png)
            parts.append(
                f"![{_escape(block.alt)}]({name})\n\n**{_escape(block.caption)}**  \n"
                f"<small>{_escape(block.source)}</small>\n"
            )
        else:
            parts.append(to_markdown(block))
    if doc.footer:
        parts.append(f"---\n<small>{_escape(doc.footer)}</small>\n")
    if doc.banner:
        parts.append(f"> **{doc.banner}**\n")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def to_markdown(block: Block) -> str:
    """One block as Markdown text (figures are handled by `write_markdown`)."""
    if isinstance(block, Heading):
        return f"{'#' * (min(block.level, 3) + 1)} {block.text}\n"
    if isinstance(block, Paragraph):
        text = _escape(block.text)
        wrap = {"body": "{}", "note": "*{}*", "warning": "**{}**", "source": "<small>{}</small>"}
        return wrap[block.style].format(text) + "\n"
    if isinstance(block, Bullets):
        return "".join(f"- {_escape(i)}\n" for i in block.items)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, KeyFigures):
        items = "".join(f"- **{_escape(k.value)}** {_escape(k.label)}\n" for k in block.items)
        return f"{items}\n<small>{_escape(block.source)}</small>\n"
    if isinstance(block, PageBreak):
        return ""
    raise TypeError(f"unknown block {type(block).__name__}")


def _table(t: Table) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    align = ["---:" if i in t.numeric else "---" for i in range(len(t.columns))]
    lines = [f"**{_escape(t.caption)}**\n"] if t.caption else []
    lines += [line([_cell(c) for c in t.columns]), line(align)]
    for r, row in enumerate(t.rows):
        if r in t.groups:
            lines.append(line([f"**{_cell(row[0])}**"] + [""] * (len(t.columns) - 1)))
            continue
        cells = [_cell(v) for v in row]
        if r in t.totals or r in t.flagged:
            cells = [f"**{c}**" if c else c for c in cells]
        lines.append(line(cells))
    return "\n".join(lines) + f"\n\n<small>{_escape(t.source)}</small>\n"


def _cell(text: str) -> str:
    return _escape(text).replace("|", "\\|").replace("\n", "<br>")


def _escape(text: str) -> str:
    """Keep '*' and '_' in names and notes from turning into emphasis."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")
