"""The dashboard page: the techfin page over ``DashboardModel`` (serve with ``techfin dashboard``).

The sidebar holds the run controls (Reset, ▶, Step: Mesa's ``ModelController``, without Mesa's developer
controls — play and render intervals, threads) and the planner's inputs: the scenario picker, the seed and one
control per lever of ``experiments.dashboard.model.LEVERS``, each showing its value and unit. Controls start at
the picked scenario's own values and write nothing until moved, so the first run of a scenario is the scenario
as written; picking another scenario puts every control back to that scenario's values. A moved control takes
effect at **Reset**, which rebuilds both runs — the scenario with the levers and its no-policy baseline — under
the same seed; **Step** and ▶ advance both a month at a time.

The main area shows, for credit balance, pool balance, NPL ratio and cumulative fiscal spending, one chart with
the policy run (colour) and the baseline run under the same seed (grey, dashed), with the latest values written
under it, and a panel saying what the levers changed in the scenario and which levers did not apply. Row 0 is
the state as the plan's first month opens ("2021-08 start"); each step adds that month's end.

Run it directly with ``solara run experiments/dashboard/app.py``; ``Page`` is the entry point.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import matplotlib.ticker as mticker
import solara
from matplotlib import font_manager
from matplotlib.figure import Figure
from mesa.visualization.solara_viz import ComponentsView, ModelController

from experiments.dashboard.model import LEVERS, DashboardModel, control, model_params, scenario_lever_values
from sim.scenario import bundled_names, load_scenario

PREFERRED_SCENARIOS = ("xianning-2021", "baseline")
PLAY_INTERVAL_MS = 300  # ▶ advances a month every 0.3 s, redrawing after each
POLICY_COLOUR, BASELINE_COLOUR = "#c0392b", "#7f7f7f"
# Chart: (dashboard column, title, unit shown, divisor for the unit, number format).
CHARTS: tuple[tuple[str, str, str, float, str], ...] = (
    ("credit_balance", "Tech credit balance 科技贷款余额", "亿元", 1e4, "{:,.2f}"),
    ("pool_balance", "Compensation pool balance 资金池余额", "万元", 1.0, "{:,.0f}"),
    ("npl_ratio", "NPL ratio 不良率", "%", 0.01, "{:.2f}"),
    ("fiscal_spending_cum", "Fiscal spending, cumulative 财政支出累计", "万元", 1.0, "{:,.0f}"),
)


UNITS_EN = {"亿元": "100m yuan", "万元": "10k yuan"}  # axis units when no CJK font is installed
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK JP")


@functools.cache
def cjk_family() -> str | None:
    """The first installed CJK font Matplotlib knows (Debian's fonts-noto-cjk), or ``None``."""
    have = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in have), None)


def _label(text: str) -> str:
    """``text`` for a Matplotlib label: without its Chinese words when no CJK font is installed (no tofu)."""
    if cjk_family() is not None:
        return text
    return " ".join(w for w in text.split() if all(ord(c) < 0x2E80 for c in w))


def _scenarios() -> tuple[list[str], str]:
    names = bundled_names()
    default = next((n for n in PREFERRED_SCENARIOS if n in names), names[0] if names else "baseline")
    return names or [default], default


SCENARIOS, DEFAULT_SCENARIO = _scenarios()
PARAMS = model_params(SCENARIOS, DEFAULT_SCENARIO)


def _figure(model: DashboardModel, column: str, title: str, unit: str, scale: float) -> Figure:
    """Policy and baseline lines of one dashboard column over calendar months."""
    fig = Figure(figsize=(6.4, 3.3), dpi=100, layout="constrained")
    ax = fig.subplots()
    df = model.datacollector.get_model_vars_dataframe()
    if df.empty:
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
    else:
        x = df.index.to_numpy()
        ax.plot(
            x, df[f"{column}_baseline"] / scale, color=BASELINE_COLOUR, ls="--", lw=1.6, label="baseline (no policy)"
        )
        ax.plot(x, df[column] / scale, color=POLICY_COLOUR, lw=2.0, label="policy (levers)")
        horizon = max(model.policy.horizon, 1)
        ax.xaxis.set_major_locator(mticker.MultipleLocator(next(b for b in (3, 6, 12, 24, 60) if horizon / b <= 6)))
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _pos: model.when(int(v))))
        ax.set_xlim(0, horizon)
        if column != "credit_balance":  # the credit stock starts high: let its axis zoom in on the change
            ax.set_ylim(bottom=0)
        ax.legend(loc="best", fontsize=8, frameon=False)
    family = ["DejaVu Sans", cjk_family()] if cjk_family() else ["DejaVu Sans"]
    ax.set_title(_label(title), fontsize=10, fontfamily=family)
    ax.set_ylabel(unit if cjk_family() else UNITS_EN.get(unit, unit), fontfamily=family)
    ax.grid(alpha=0.3)
    return fig


def make_chart(column: str, title: str, unit: str, scale: float, fmt: str) -> Callable[[DashboardModel], Any]:
    """A SolaraViz component function drawing one column for the policy and the baseline run.

    Args:
        column: A ``DashboardModel`` series (``credit_balance``, ...); ``<column>_baseline`` is the baseline.
        title: Chart title.
        unit: Unit on the y axis and in the caption.
        scale: Divisor taking the stored unit (万元, ratio) to ``unit``.
        fmt: Format of the caption's numbers.

    Returns:
        A function of the model that SolaraViz wraps into a component re-rendered after every step.
    """

    def chart(model: DashboardModel):
        with solara.Column(gap="4px", classes=[f"techfin-chart-{column}"]) as col:
            if model.error:
                solara.Text("nothing to show: the scenario did not load (see the panel)")
                return col
            fig = _figure(model, column, title, unit, scale)
            solara.FigureMatplotlib(fig, format="svg")
            df = model.datacollector.get_model_vars_dataframe()
            last = df.iloc[-1]
            solara.Text(
                f"{model.when()}: policy {fmt.format(last[column] / scale)} · "
                f"baseline {fmt.format(last[f'{column}_baseline'] / scale)} {unit}",
                classes=["techfin-caption"],
            )
        return col

    chart.__name__ = f"chart_{column}"
    return chart


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, dict):
        return ", ".join(f"{k} {_value(x)}" for k, x in v.items())
    if isinstance(v, list):
        names = (x.get("name", x.get("start", "?")) if isinstance(x, dict) else x for x in v)
        return f"{len(v)} item(s): " + "; ".join(str(n) for n in names)
    return str(v)


def _html(tag: str, *children: Any, style: str = "") -> Any:
    """A plain HTML element (ipyvue), so the panel needs no front-end library beyond Vue."""
    return solara.v.Html(tag=tag, children=list(children), style_=style)


def _bullets(items: list[str], code: bool = False) -> Any:
    return _html("ul", *(_html("li", _html("code", i) if code else i) for i in items), style="margin: 2px 0 8px")


VERDICTS = {
    "met": "达成 met",
    "missed": "未达成 missed",
    "not_reached": "未到期 not reached yet",
    "out_of_scope": "超出模型范围 out of scope",
}


def target_line(v: dict[str, Any]) -> str:
    """One target's verdict for the info panel, Chinese and English as the page's labels: "达成 met —
    科技信贷额度达到5000万元（2019年） — tech credit reaches 50 million yuan by 2019 (2019-12; got 6,000)"."""
    got = f"; got {v['value']:,.4g}" if v.get("value") is not None and v["status"] != "not_reached" else ""
    why = f": {v['reason']}" if v["status"] == "out_of_scope" and v.get("reason") else ""
    return f"{VERDICTS[v['status']]} — {v['label'] or v['metric']} ({v['date']}{got}){why}"


def info_panel(model: DashboardModel):
    """What is running: the scenario, the month, the levers, the overrides they wrote and the notes.

    Plain HTML elements, not ``solara.Markdown``: Markdown always fetches KaTeX and Mermaid from the CDN
    path, and KaTeX is not among the offline assets (``solara-assets``), which would log a console error.
    """
    with solara.Column(gap="2px", classes=["techfin-info"], style="height: 100%; overflow-y: auto") as col:
        if model.error:
            solara.Error(f"Scenario {model.scenario_name!r} could not be run:\n{model.error}")
            return col
        s = model.plan
        now = model.when()
        levers = [f"{LEVERS[k].label}: {LEVERS[k].show(v)}" for k, v in model.levers.items() if v is not None]
        _html("b", s.title or s.name)
        _html(
            "p",
            f"Scenario {s.name}, {s.start_month} to {s.end_month}; seed {model.seed}. "
            f"Month shown: {now} ({model.steps} of {s.horizon_months}).",
        )
        _html(
            "p",
            "Red: the scenario with the levers. Grey dashed: the same region without policy (without_policy), "
            "same seed. Controls start at the scenario's own values; move one, then Reset; Step or ▶ advance a "
            "month.",
        )
        if levers:
            _html("b", "Levers in this run")
            _bullets(levers)
        _html("b", "What the levers set" if model.overrides else "The scenario as written: no lever moved.")
        _bullets([f"{k} = {_value(v)}" for k, v in model.overrides.items()], code=True)
        if model.notes:
            _html("b", "Notes")
            _bullets(model.notes)
        if verdicts := model.target_verdicts():
            _html("b", "Plan targets so far")
            _bullets([target_line(v) for v in verdicts])
    return col


COMPONENTS = [*(make_chart(*c) for c in CHARTS), info_panel]


def initial_model() -> DashboardModel:
    """The model the page opens with: the default scenario as written under the default seed."""
    return DashboardModel(DEFAULT_SCENARIO, rng=PARAMS["rng"]["value"])


def _slider(key: str, value: float, on_value: Callable[[float], None]) -> None:
    """Lever ``key``: its label with the value and unit on one line, the slider under it at full width."""
    spec = control(key, value)
    with solara.Column(gap="0px", classes=[f"techfin-lever-{key}"]):
        solara.Text(f"{spec['label']}: {LEVERS[key].show(value)}", classes=["techfin-lever-label"])
        solara.SliderFloat(
            "", value=value, min=spec["min"], max=spec["max"], step=spec["step"], on_value=on_value, thumb_label=True
        )


@solara.component
def Inputs(parameters: solara.Reactive[dict[str, Any]]):
    """The planner's inputs. ``parameters`` (what Reset builds the model with) holds the scenario, the seed and
    only the levers moved since the scenario was picked; the others stay as the scenario has them."""
    name = parameters.value["scenario_name"]
    values = solara.use_memo(lambda: scenario_lever_values(load_scenario(name)), [name])
    shown = {**values, **{k: v for k, v in parameters.value.items() if k in LEVERS}}

    def pick(new: str) -> None:
        parameters.value = {"scenario_name": new, "rng": parameters.value["rng"]}

    def setter(key: str) -> Callable[[Any], None]:
        return lambda v: parameters.set({**parameters.value, key: v})

    solara.Select(PARAMS["scenario_name"]["label"], value=name, values=SCENARIOS, on_value=pick)
    solara.InputText(PARAMS["rng"]["label"], value=parameters.value["rng"], on_value=setter("rng"))
    for key, lever in LEVERS.items():
        if lever.widget == "Checkbox":
            solara.Checkbox(label=f"{lever.label}: {lever.show(shown[key])}", value=shown[key], on_value=setter(key))
        else:
            _slider(key, shown[key], setter(key))
    moved = [LEVERS[k].label for k in parameters.value if k in LEVERS]
    solara.Text("已调整 moved: " + ", ".join(moved) if moved else "未调整 nothing moved: the scenario as written")


@solara.component
def Page():
    """The dashboard: one ``DashboardModel`` per browser session, the run controls, the inputs and the charts."""
    model = solara.use_reactive(solara.use_memo(initial_model, []))
    parameters = solara.use_reactive({"scenario_name": DEFAULT_SCENARIO, "rng": PARAMS["rng"]["value"]})
    # Mesa's run controls with its developer settings fixed: ▶ every PLAY_INTERVAL_MS, redraw each month.
    play, every, threads = solara.use_reactive(PLAY_INTERVAL_MS), solara.use_reactive(1), solara.use_reactive(False)
    with solara.AppBar():
        solara.AppBarTitle("techfin-sim 科技金融 policy vs baseline")
    with solara.Sidebar(), solara.Column():
        with solara.Card("运行 Run"):
            ModelController(
                model,
                model_parameters=parameters,
                play_interval=play,
                render_interval=every,
                use_threads=threads,
            )
        with solara.Card("政策参数 Policy levers"):
            Inputs(parameters)
    ComponentsView(list(COMPONENTS), model.value)


__all__ = ["CHARTS", "COMPONENTS", "LEVERS", "PARAMS", "Inputs", "Page", "initial_model", "make_chart"]
