"""``techfin dashboard``: serve the interactive SolaraViz page (``experiments/dashboard/app.py``)."""

from __future__ import annotations

import argparse
import errno
import importlib.util
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from experiments.cli.options import Command, registrar
from experiments.errors import UserError

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


COMMANDS: dict[str, Command] = {}
command = registrar(COMMANDS)


def server_command(host: str, port: int, python: str | None = None) -> list[str]:
    """The command line that serves the dashboard with solara in production mode.

    Args:
        host: Interface to listen on.
        port: TCP port.
        python: Interpreter to run solara with (default: this one).

    Returns:
        The argument list for ``subprocess``.
    """
    return [
        python or sys.executable,
        "-m",
        "solara",
        "run",
        str(APP),
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--log-level",
        "warning",
    ]


def server_env() -> dict[str, str]:
    """Environment for the server: no telemetry, no Matplotlib GUI, repo importable."""
    env = dict(os.environ)
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    env.setdefault("MPLBACKEND", "Agg")
    # Mesa 3.3's ComponentsView trips solara's hook linter, and plain-http cookies warn: noise, not faults.
    quiet = ("ignore::UserWarning:solara.validate_hooks", "ignore::UserWarning:solara.server.starlette")
    env.setdefault("PYTHONWARNINGS", ",".join(quiet))
    root = str(APP.parent.parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def _dashboard_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")


@command("dashboard", _dashboard_args)
def dashboard(args: argparse.Namespace) -> int:
    """Serve the interactive dashboard: levers, policy vs baseline charts (Mesa SolaraViz)."""
    if importlib.util.find_spec("solara") is None:
        raise UserError('the dashboard needs solara: pip install "mesa[rec]>=3.3,<4"')
    if not 0 <= args.port <= 65535:
        raise UserError(f"--port {args.port}: must be 0–65535")
    busy = port_in_use(args.host, args.port)
    if busy:
        raise UserError(f"--port {args.port}: {busy} (stop the other server or choose another --port)")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"techfin dashboard: warning: listening on {args.host or 'every interface'}: the page has no"
            " authentication, anyone who can reach this machine can use it",
            file=sys.stderr,
        )
    print(f"techfin dashboard: http://{args.host or '0.0.0.0'}:{args.port}/  (Ctrl-C to stop)", flush=True)
    proc = subprocess.Popen(server_command(args.host, args.port), env=server_env())

    def forward(signum: int, _frame: object) -> None:  # SIGTERM to us stops the server too
        proc.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        if proc.poll() is None:
            proc.kill()


def port_in_use(host: str, port: int) -> str | None:
    """Why the server cannot listen on ``host:port`` (None: it can)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host or "0.0.0.0", port))
        except OSError as e:
            return "address already in use" if e.errno == errno.EADDRINUSE else (e.strerror or str(e))
    return None
