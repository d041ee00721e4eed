"""Figure style: fonts (CJK when available), scenario colours, PNG export with the Agg renderer.

Figures are built with ``matplotlib.figure.Figure`` and an Agg canvas, never pyplot, so report code neither
changes the process-wide backend nor keeps figures alive in pyplot's registry.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)
_CJK_FILE = re.compile(r"cjk|wqy|wenquanyi|droidsansfallback|sourcehan|simhei|msyh|pingfang", re.IGNORECASE)
_CJK_CHAR = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
GREY = "#8c8c8c"
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#bcbd22")
DPI = 110


def _known_cjk() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((fam for fam in CJK_FAMILIES if fam in names), None)


@functools.cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None.

    Matplotlib caches its font list; a font installed after the cache was built is found by scanning the
    system font folders and adding the CJK files to the font manager.
    """
    found = _known_cjk()
    if found:
        return found
    for path in font_manager.findSystemFonts():
        if _CJK_FILE.search(Path(path).name):
            with contextlib.suppress(OSError, RuntimeError, ValueError):
                font_manager.fontManager.addfont(path)
    return _known_cjk()


@functools.cache
def _warn_no_cjk() -> None:
    print(
        "techfin report: no CJK font found (install fonts-noto-cjk or fonts-wqy-microhei); "
        "figures are drawn in English",
        file=sys.stderr,
    )


def figure_lang(lang: str) -> str:
    """The language figures can be drawn in: ``lang``, or "en" (with one warning) if Chinese has no font."""
    if lang == "zh" and cjk_font() is None:
        _warn_no_cjk()
        return "en"
    return lang


def safe(text: str) -> str:
    """``text`` without CJK characters when no CJK font is installed (never draw empty boxes)."""
    if cjk_font() is not None or not _CJK_CHAR.search(text):
        return text
    return _CJK_CHAR.sub("", text).strip() or "?"


@contextlib.contextmanager
def style(lang: str = "en") -> Iterator[None]:
    """Matplotlib settings for report figures: fonts, light grid, no top/right spines.

    The font list is concrete (not the generic "sans-serif"), so text keeps its fonts whatever the settings
    are when the figure is saved. Matplotlib falls back glyph by glyph along the list: Chinese figures lead
    with the CJK font (its punctuation), English ones with DejaVu Sans and keep the CJK font for stray names.
    """
    cjk = cjk_font()
    families = ["DejaVu Sans"] if cjk is None else ([cjk, "DejaVu Sans"] if lang == "zh" else ["DejaVu Sans", cjk])
    rc = {
        "font.family": families,
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "legend.frameon": False,
        "font.size": 9,
    }
    with mpl.rc_context(rc):
        yield


def new_figure(width: float = 7.0, height: float = 3.6) -> Figure:
    """A figure attached to an Agg canvas."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def colours(scenarios: Sequence[str], baseline: str | None) -> dict[str, str]:
    """One colour per scenario, in order; the baseline is grey."""
    out: dict[str, str] = {}
    others = [s for s in scenarios if s != baseline]
    for i, s in enumerate(others):
        out[s] = PALETTE[i % len(PALETTE)]
    if baseline is not None:
        out[baseline] = GREY
    return out


def grid(n: int, ncols: int = 3, width: float = 10.0, row_height: float = 3.0) -> tuple[Figure, list]:
    """A figure with ``n`` panels in rows of up to ``ncols``; unused panels are hidden."""
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig = new_figure(width if ncols > 1 else 6.5, row_height * nrows)
    axes = list(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]
