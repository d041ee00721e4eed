"""Reports on run and experiment folders: figures, bilingual HTML and Markdown, provenance.

``write_report(folder, lang="zh", fmt="html")`` reads whatever result files ``folder`` holds and writes
``report.html`` (self-contained: figures embedded as PNG, inline CSS, no scripts) and/or ``report.md`` with its
figures in ``report_files/``. The figure functions live in :mod:`experiments.report.figures_time` and
:mod:`experiments.report.figures_stats`; every word is in :mod:`experiments.report.i18n`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from experiments.report.i18n import LANGS

FORMATS = ("html", "md", "both")

__all__ = ["FORMATS", "LANGS", "ReportInputError", "write_report"]


def __getattr__(name: str) -> Any:
    """``ReportInputError`` on first use: importing the package (for its number formats) stays light."""
    if name == "ReportInputError":
        from experiments.report.load import ReportInputError

        return ReportInputError
    raise AttributeError(name)


def write_report(folder: Path, lang: str = "en", fmt: str = "html") -> list[Path]:
    """Write the report on a run or experiment folder into that folder.

    Args:
        folder: a ``techfin run`` folder or an experiment folder (with ``manifest.json``).
        lang: "en" or "zh" — every heading, label, sentence and figure text in that language.
        fmt: "html" (``report.html``), "md" (``report.md`` and ``report_files/*.png``) or "both".

    Returns:
        The report files written.

    Raises:
        ValueError: for an unknown ``lang`` or ``fmt``.
        ReportInputError: if ``folder`` is not a run or experiment folder.
    """
    from experiments.report.doc import rasterise
    from experiments.report.load import load_folder
    from experiments.report.render import write_html, write_markdown
    from experiments.report.sections import build_document

    if lang not in LANGS:
        raise ValueError(f"lang {lang!r}: expected one of {', '.join(LANGS)}")
    if fmt not in FORMATS:
        raise ValueError(f"fmt {fmt!r}: expected one of {', '.join(FORMATS)}")
    folder = Path(folder)
    doc = build_document(load_folder(folder), lang)
    rasterise(doc)
    written = []
    if fmt in ("html", "both"):
        written.append(write_html(doc, folder))
    if fmt in ("md", "both"):
        written.append(write_markdown(doc, folder))
    return written
