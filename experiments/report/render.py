"""Write a :class:`~experiments.report.doc.Document` as self-contained HTML or as Markdown with PNG files."""

from __future__ import annotations

import base64
import re
from html import escape
from pathlib import Path

from experiments.report.doc import Bullets, Document, Fig, Heading, Para, Table
from experiments.report.i18n import t
from experiments.report.templates import CSS, PAGE

FILES_DIR = "report_files"
_NUMERIC = re.compile(r"^[\s\-+\[\]()\d.,%×/—]+(\s?\S{0,4})?$")


def _e(text: str) -> str:
    return escape(str(text), quote=True)


def _cell(text: str, tag: str) -> str:
    css = ' class="num"' if tag == "td" and _NUMERIC.match(text) and any(c.isdigit() for c in text) else ""
    return f"<{tag}{css}>{_e(text)}</{tag}>"


def _html_table(b: Table) -> str:
    head = "".join(_cell(h, "th") for h in b.header)
    body = "\n".join("<tr>" + "".join(_cell(c, "td") for c in row) + "</tr>" for row in b.rows)
    note = f'\n<p class="note">{_e(b.note)}</p>' if b.note else ""
    kv = ' class="kv"' if b.kv else ""
    return (
        f'<table id="{_e(b.id)}"{kv}>\n<caption>{_e(b.caption)}</caption>\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table>{note}"
    )


def _html_block(b: Heading | Para | Bullets | Fig | Table) -> str:
    if isinstance(b, Heading):
        ident = f' id="{_e(b.id)}"' if b.id else ""
        return f"<h{b.level}{ident}>{_e(b.text)}</h{b.level}>"
    if isinstance(b, Para):
        css = f' class="{_e(b.css)}"' if b.css else ""
        return f"<p{css}>{_e(b.text)}</p>"
    if isinstance(b, Bullets):
        ident = f' id="{_e(b.id)}"' if b.id else ""
        items = "\n".join(f"<li>{_e(i)}</li>" for i in b.items)
        return f'<ul class="findings"{ident}>\n{items}\n</ul>'
    if isinstance(b, Fig):
        data = base64.b64encode(b.png).decode("ascii")
        return (
            f'<figure id="{_e(b.id)}">\n<img src="data:image/png;base64,{data}" alt="{_e(b.caption)}"/>\n'
            f"<figcaption>{_e(b.caption)}</figcaption>\n</figure>"
        )
    return _html_table(b)


def to_html(doc: Document) -> str:
    """The report as one HTML page with its figures embedded as base64 PNG."""
    sections = [b for b in doc.blocks if isinstance(b, Heading) and b.level == 2 and b.id]
    links = "\n".join(f'<li><a href="#{_e(h.id)}">{_e(h.text)}</a></li>' for h in sections)
    nav = f'<nav>\n<h2 id="contents">{_e(t("h.contents", doc.lang))}</h2>\n<ol>\n{links}\n</ol>\n</nav>'
    return PAGE.format(
        lang="zh-CN" if doc.lang == "zh" else "en",
        title=_e(doc.title),
        subtitle=_e(doc.subtitle),
        css=CSS,
        nav=nav,
        body="\n".join(_html_block(b) for b in doc.blocks),
    )


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_block(b: Heading | Para | Bullets | Fig | Table) -> str:
    if isinstance(b, Heading):
        return f"{'#' * b.level} {b.text}"
    if isinstance(b, Para):
        return f"*{b.text}*" if b.css else b.text
    if isinstance(b, Bullets):
        return "\n".join(f"- {i}" for i in b.items)
    if isinstance(b, Fig):
        return f"![{_md_cell(b.caption)}]({FILES_DIR}/{b.id}.png)\n\n*{b.caption}*"
    lines = [f"**{b.caption}**", "", "| " + " | ".join(_md_cell(h) for h in b.header) + " |"]
    lines.append("|" + "|".join("---" for _ in b.header) + "|")
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b.rows]
    if b.note:
        lines += ["", f"*{b.note}*"]
    return "\n".join(lines)


def to_markdown(doc: Document) -> str:
    """The report as Markdown; figures are linked from ``report_files/<figure id>.png``."""
    parts = [f"# {doc.title}", f"*{doc.subtitle}*", *(_md_block(b) for b in doc.blocks)]
    return "\n\n".join(parts) + "\n"


def write_html(doc: Document, folder: Path) -> Path:
    """Write ``folder/report.html``."""
    path = folder / "report.html"
    path.write_text(to_html(doc), encoding="utf-8")
    return path


def write_markdown(doc: Document, folder: Path) -> Path:
    """Write ``folder/report.md`` and its figures as ``folder/report_files/<id>.png``."""
    files = folder / FILES_DIR
    files.mkdir(exist_ok=True)
    for old in files.glob("fig-*.png"):
        old.unlink()
    for fig in doc.figures():
        (files / f"{fig.id}.png").write_bytes(fig.png)
    path = folder / "report.md"
    path.write_text(to_markdown(doc), encoding="utf-8")
    return path
