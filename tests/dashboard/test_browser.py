"""The dashboard in a real browser: Debian's Chromium, headless, driven by Playwright's sync API.

The test starts ``solara run experiments/dashboard/app.py`` on a free localhost port, loads the page, and
checks that the first run is the bundled plan as written: every control shows the scenario's own value, Mesa's
developer controls (play/render interval, threads) are absent, and after three Steps every caption equals the
figures of ``EcosystemModel(plan, rng=seed)`` and its no-policy run stepped three months in this process. Then
it moves two sliders (pool size and pool coverage) with the keyboard, presses Reset so the levers take effect,
steps the model three months, and checks that

* the levers reached the model (the info panel lists the overrides they wrote; the pool caption shows the
  new pool size),
* every chart image and caption changes between before and after the steps, and the month advances by three,
* the browser reported no console error, no uncaught page error, no failed request and no HTTP error (which
  is how missing offline front-end assets, ``solara-assets``, would show), and the server logged no
  traceback.

Known benign noise, not counted: console messages below error level (ipyvue's warning "Failed to evaluate Vue
script and find module.exports, falling back to old method", solara's debug/log lines). No console *error*
is filtered.

Playwright must not download a browser: it drives ``/usr/bin/chromium`` (apt package ``chromium``; see
``.ci/install-browser.sh``). Missing Chromium or Playwright is a failure, not a skip.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from experiments.cli.dashboard import server_command, server_env
from experiments.dashboard import app
from experiments.dashboard.model import SERIES, scenario_lever_values
from sim.calendar import YearMonth
from sim.counterfactual import without_policy
from sim.model import EcosystemModel
from sim.scenario import load_scenario

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHARTS = ("credit_balance", "pool_balance", "npl_ratio", "fiscal_spending_cum")
SERVER_START_S = 60
UI_TIMEOUT_MS = 20_000
STEPS = 3
SCREENSHOTS = Path(tempfile.gettempdir())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server's process group: SIGTERM, then SIGKILL after 10 s."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The dashboard served on a free localhost port; yields (URL, server log path); always stopped."""
    from sim.warmup import warm_up

    warm_up()  # the compiled loops into numba's cache first: the server's first page would compile them
    port = _free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    url = f"http://127.0.0.1:{port}/"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            server_command("127.0.0.1", port),
            env=server_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"dashboard server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"dashboard server not answering 200 within {SERVER_START_S}s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url, log
    finally:
        _stop(proc)


@pytest.fixture
def page():
    """A Chromium page (Debian's /usr/bin/chromium, fresh profile) with its console and network events."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (bash .ci/install-browser.sh)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is missing: pip install playwright (no `playwright install` needed)")
    events: dict[str, list[str]] = {"console": [], "errors": [], "network": []}
    with sync_playwright() as p, tempfile.TemporaryDirectory(prefix="techfin-chromium-") as profile:
        context = p.chromium.launch_persistent_context(
            profile,  # a new, empty --user-data-dir
            executable_path=str(CHROMIUM),
            args=CHROMIUM_FLAGS,
            headless=True,
            timeout=30_000,
            viewport={"width": 1500, "height": 1100},
        )
        try:
            pg = context.pages[0] if context.pages else context.new_page()
            pg.set_default_timeout(UI_TIMEOUT_MS)

            def on_console(msg) -> None:
                events["console"].append(f"{msg.type}: {msg.text}")
                if msg.type == "error":
                    events["errors"].append(f"console error: {msg.text}")

            pg.on("console", on_console)
            pg.on("pageerror", lambda e: events["errors"].append(f"page error: {e}"))
            pg.on("requestfailed", lambda r: events["network"].append(f"failed {r.url}: {r.failure}"))
            pg.on("response", lambda r: r.status >= 400 and events["network"].append(f"HTTP {r.status} {r.url}"))
            yield pg, events
        finally:
            context.close()


def _captions(pg) -> dict[str, str]:
    return {c: pg.locator(f".techfin-chart-{c} .techfin-caption").inner_text() for c in CHARTS}


def _charts(pg) -> dict[str, tuple[str, bytes]]:
    """Each chart's image source and a screenshot of it."""
    out = {}
    for c in CHARTS:
        img = pg.locator(f".techfin-chart-{c} img")
        out[c] = (img.get_attribute("src") or "", img.screenshot())
    return out


def _month(caption: str) -> str:
    return caption.split(":", 1)[0].strip()


def _expected_captions(steps: int) -> dict[str, str]:
    """The captions the page must show after ``steps`` Steps of the default plan as written, computed here."""
    plan = load_scenario(app.DEFAULT_SCENARIO)
    seed = int(app.PARAMS["rng"]["value"])
    runs = EcosystemModel(plan, rng=seed), EcosystemModel(without_policy(plan), rng=seed)
    for _ in range(steps):
        for r in runs:
            r.step()
    when = f"{plan.start_month.plus(steps - 1)} end"
    out = {}
    for column, _title, unit, scale, fmt in app.CHARTS:
        policy, base = (fmt.format(r.recorder.row[SERIES[column]] / scale) for r in runs)
        out[column] = f"{when}: policy {policy} · baseline {base} {unit}"
    return out


def _set_slider_to_max(pg, lever: str) -> str:
    """Focus the Vuetify slider of lever ``lever`` and press End; returns its new value."""
    thumb = pg.locator(f".techfin-lever-{lever} [role=slider]")
    before = thumb.get_attribute("aria-valuenow")
    thumb.focus()
    thumb.press("End")
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while thumb.get_attribute("aria-valuenow") == before and time.monotonic() < deadline:
        time.sleep(0.1)
    after = thumb.get_attribute("aria-valuenow")
    assert after != before, f"slider {lever!r} did not move from {before}"
    return after


def _wait_for(predicate, what: str, timeout_s: float = UI_TIMEOUT_MS / 1000) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")
        time.sleep(0.1)


def test_dashboard_in_chromium(server, page):
    url, log = server
    pg, events = page
    pg.goto(url, timeout=30_000)
    step = pg.get_by_role("button", name="Step")
    reset = pg.get_by_role("button", name="Reset")
    try:
        step.wait_for()
        for c in CHARTS:
            pg.locator(f".techfin-chart-{c} img").wait_for()
    except Exception as e:  # Playwright's TimeoutError: say why the page did not render
        problems = "\n".join(events["network"] + events["errors"]) or "no console or network errors"
        pytest.fail(f"the dashboard did not render ({type(e).__name__}); offline assets missing?\n{problems}")

    # The first run is the plan as written: controls at the scenario's values, captions equal to a direct run.
    sidebar = pg.locator(".v-navigation-drawer").inner_text()
    for dev in ("Play Interval", "Render Interval", "Use Threads"):
        assert dev not in sidebar, f"Mesa's developer control {dev!r} is shown to planners"
    own = scenario_lever_values(load_scenario(app.DEFAULT_SCENARIO))
    pool = pg.locator(".techfin-lever-pool_size_wan [role=slider]")
    assert float(pool.get_attribute("aria-valuenow")) == own["pool_size_wan"]
    assert f"{own['pool_size_wan']:,.0f} 万元" in sidebar, "the pool-size slider does not show its value and unit"
    first = _captions(pg)
    assert all(_month(c).endswith(" start") for c in first.values()), first
    for _ in range(STEPS):
        step.click()
    expected = _expected_captions(STEPS)
    _wait_for(lambda: _captions(pg) == expected, f"the first run's captions to equal a direct run: {expected}")

    size = _set_slider_to_max(pg, "pool_size_wan")
    coverage = _set_slider_to_max(pg, "pool_coverage")
    assert float(size) == 20000 and float(coverage) == pytest.approx(0.8)
    reset.click()
    info = pg.locator(".techfin-info")
    _wait_for(lambda: "pool 0.8, bank 0.2" in info.inner_text(), "the info panel to show pool coverage 0.8")
    assert "initial_wan = 20000" in info.inner_text()
    _wait_for(lambda: "policy 20,000" in _captions(pg)["pool_balance"], "the pool caption to show 20,000万")

    before_captions, before_charts = _captions(pg), _charts(pg)
    pg.screenshot(path=SCREENSHOTS / "techfin-dashboard-before.png", full_page=True)
    opening = _month(before_captions["credit_balance"])
    assert opening.endswith(" start"), opening
    start = YearMonth.parse(opening.removesuffix(" start"))
    for i in range(1, STEPS + 1):
        expected = f"{start.plus(i - 1)} end"
        step.click()
        _wait_for(
            lambda expected=expected: all(_month(t) == expected for t in _captions(pg).values()),
            f"every chart caption to reach {expected}",
        )
    after_captions, after_charts = _captions(pg), _charts(pg)
    pg.screenshot(path=SCREENSHOTS / "techfin-dashboard-after.png", full_page=True)

    for c in CHARTS:
        assert after_captions[c] != before_captions[c], f"{c}: caption unchanged: {after_captions[c]}"
        src0, png0 = before_charts[c]
        src1, png1 = after_charts[c]
        assert src1 != src0, f"{c}: chart image source unchanged after {STEPS} steps"
        assert png1 != png0, f"{c}: chart pixels unchanged after {STEPS} steps"
    assert f"({STEPS} of " in info.inner_text()
    pg.wait_for_timeout(1000)  # let late asynchronous loads (front-end modules) report their errors

    assert not events["errors"], "browser console errors:\n" + "\n".join(events["errors"])
    assert not events["network"], "failed requests (offline assets missing?):\n" + "\n".join(events["network"])
    server_log = log.read_text(errors="replace")
    assert "Traceback" not in server_log, f"server raised:\n{server_log[-3000:]}"
