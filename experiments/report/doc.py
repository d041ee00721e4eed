"""The report as a list of blocks, independent of its output format (HTML or Markdown).

Table cells are final strings (numbers already formatted, units in the headings); a figure carries its
matplotlib ``Figure`` until :func:`rasterise` turns it into PNG bytes once for every output format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.figure import Figure

from experiments.report.style import png_bytes


@dataclass
class Heading:
    """A section heading; level-2 headings make the table of contents."""

    text: str
    id: str = ""
    level: int = 2


@dataclass
class Para:
    """A paragraph of plain text."""

    text: str
    css: str = ""


@dataclass
class Bullets:
    """A bulleted list of sentences."""

    items: list[str]
    id: str = ""


@dataclass
class Fig:
    """A figure: ``id`` names it in the HTML and its PNG file beside the Markdown."""

    id: str
    caption: str
    figure: Figure | None = None
    png: bytes = b""


@dataclass
class Table:
    """A table of formatted cells with a caption; ``note`` is a line printed under it; ``kv`` marks a two-column
    item/value table (its values are left-aligned text, not a numeric column)."""

    id: str
    caption: str
    header: list[str]
    rows: list[list[str]]
    note: str = ""
    kv: bool = False


@dataclass
class Document:
    """A whole report: title, subtitle line, language and blocks."""

    title: str
    subtitle: str
    lang: str
    blocks: list[Heading | Para | Bullets | Fig | Table] = field(default_factory=list)

    def figures(self) -> list[Fig]:
        """The figure blocks in order."""
        return [b for b in self.blocks if isinstance(b, Fig)]

    def tables(self) -> list[Table]:
        """The table blocks in order."""
        return [b for b in self.blocks if isinstance(b, Table)]


def rasterise(doc: Document) -> None:
    """Render every figure to PNG and drop the matplotlib object (figures can be large)."""
    for fig in doc.figures():
        if fig.figure is not None:
            fig.png = png_bytes(fig.figure)
            fig.figure = None
