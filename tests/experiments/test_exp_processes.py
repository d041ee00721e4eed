"""No process is left behind: worker pools after the experiment is killed, the dashboard's server after SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from experiments.cli import main
from tests.experiments.conftest import techfin

ROOT = Path(__file__).resolve().parents[2]


def _session(sid: int) -> list[int]:
    """PIDs of live processes in session ``sid`` (Linux /proc)."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[3]) == sid:
            out.append(int(d.name))
    return out


def _wait_gone(sid: int, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := _session(sid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_killing_an_experiment_leaves_no_worker_behind(tmp_path, small_file):
    out = tmp_path / "c"
    cmd = techfin("compare", small_file, "--replicates", 400, "--workers", 2, "--out", out, "--quiet")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and len(list((out / "parts").glob("*.runs.parquet"))) < 2:
        time.sleep(0.1)
    assert len(_session(proc.pid)) >= 3, "the workers did not start"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    left = _wait_gone(proc.pid, 15)
    for pid in left:  # never leave them behind even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left after the experiment was killed: {left}"


def test_dashboard_refuses_a_port_in_use_and_warns_on_a_public_host(capsys, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 2
        assert "address already in use" in capsys.readouterr().err
    started = []
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(a) or _Done())
    assert main(["dashboard", "--host", "0.0.0.0", "--port", "0"]) == 0
    assert "no authentication" in capsys.readouterr().err and started


class _Done:
    def wait(self, timeout=None):
        return 0

    def poll(self):
        return 0


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_sigterm_to_the_dashboard_stops_its_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = techfin("dashboard", "--port", port)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_session(proc.pid)) < 2:
        time.sleep(0.2)
    assert len(_session(proc.pid)) >= 2, "the server did not start"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    left = _wait_gone(proc.pid, 20)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"the dashboard's server outlived it: {left}"
