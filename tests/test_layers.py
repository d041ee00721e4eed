"""Imports flow one way: experiments → sim → agents, read from the source (every import, also inside functions).

``agents`` may use sim's foundation — the types and clocks every layer shares (``sim.schema`` parameter classes,
with its base types ``sim.schema_base`` and the modules that define its blocks by topic, ``sim.schema_*``;
``sim.calendar``, ``sim.accounts``, ``sim.streams``, the compiled loops ``sim.kernels``) — and nothing else of
``sim``; the foundation imports neither agents nor the rest of sim. Nothing below ``experiments`` imports it.

Inside ``experiments`` the library (``plan``, ``execution``, ``store``, ``analysis``) is built on, never builds on,
the applications (``api``, ``cli``, ``report``, ``dashboard``, ``design``, ``calibration``, ``evidence``); the
store, at the bottom, imports none of the other library packages; the report reads folders and runs nothing; only
the CLI imports the CLI.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOUNDATION = {
    "sim.schema",
    "sim.schema_base",
    "sim.schema_firms",
    "sim.schema_institutions",
    "sim.schema_government",
    "sim.schema_products",
    "sim.schema_plan",
    "sim.schema_instruments",
    "sim.calendar",
    "sim.accounts",
    "sim.streams",
    "sim.kernels",
}


def imports(path: Path) -> set[str]:
    """Every module a source file imports, absolute names (``from . import x`` resolved)."""
    return _imports_of(path.read_text(encoding="utf-8"), path)


def _imports_of(source: str, path: Path) -> set[str]:
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = parts[: len(parts) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)
    return out


def module_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _top(mod: str, top: str) -> bool:
    return mod == top or mod.startswith(f"{top}.")


def in_foundation(module: str) -> bool:
    """A foundation module, a module inside a foundation package, or a name imported from one."""
    return any(module == f or module.startswith(f + ".") for f in FOUNDATION)


def agent_violations(found: set[str]) -> set[str]:
    """Imports an agents module must not make: experiments, or sim beyond its foundation."""
    bad = {m for m in found if _top(m, "experiments")}
    bad |= {m for m in found if _top(m, "sim") and not in_foundation(m)}
    return bad - {"sim"}


@pytest.mark.parametrize("path", module_files("agents"), ids=_name)
def test_agents_use_only_the_foundation_of_sim_and_never_experiments(path):
    bad = agent_violations(imports(path))
    assert not bad, f"{_name(path)} imports {sorted(bad)} (agents → sim foundation only)"


@pytest.mark.parametrize("path", module_files("sim"), ids=_name)
def test_sim_never_imports_experiments_and_the_foundation_is_a_leaf(path):
    found = imports(path)
    assert not {m for m in found if _top(m, "experiments")}, f"{_name(path)} imports experiments"
    if in_foundation(_name(path)):
        upward = {m for m in found if _top(m, "agents") or (_top(m, "sim") and not in_foundation(m))}
        upward -= {"sim"}
        assert not upward, f"foundation module {_name(path)} imports {sorted(upward)}"


def test_the_checker_sees_a_reverse_edge_inside_a_function():
    """An agent importing the model inside a function (the mistake the rule guards against) is caught."""
    probe = ROOT / "agents" / "probe.py"  # never written: parsed from text below
    tree = "def f():\n    from sim.model import EcosystemModel\n    from .bank import Bank\n    return EcosystemModel\n"
    found = _imports_of(tree, probe)
    assert {"sim.model", "agents.bank"} <= found
    assert agent_violations(found) == {"sim.model", "sim.model.EcosystemModel"}
    assert not agent_violations({"sim.schema", "sim.schema.BankParams", "numpy", "agents.bank"})


LIBRARY = ("plan", "execution", "store", "analysis")
APPLICATIONS = ("api", "cli", "report", "dashboard", "design", "calibration", "evidence")
#: What each part of experiments must not import (besides the rules for every library package).
FORBIDDEN = {
    "store": ("plan", "execution", "analysis"),
    "report": ("execution", "plan", "api", "cli", "dashboard"),
    "dashboard": ("cli", "api", "report"),
    "errors": (*LIBRARY, *APPLICATIONS, "output"),
    "output": (*LIBRARY, *APPLICATIONS),  # the store writes through it: it reaches nothing above
}


def _part(mod: str) -> str | None:
    """The part of experiments a module belongs to (``experiments.store.parts`` → ``store``)."""
    parts = mod.split(".")
    return parts[1] if parts[0] == "experiments" and len(parts) > 1 else None


def experiments_violations(module: str, found: set[str]) -> set[str]:
    """Imports a module of experiments must not make, by the direction rules of this module's docstring."""
    own = _part(module)
    banned = set(FORBIDDEN.get(own, ()))
    if own in LIBRARY:
        banned |= set(APPLICATIONS)
    if own != "cli":
        banned.add("cli")
    return {m for m in found if _part(m) in banned - {own}}


@pytest.mark.parametrize("path", module_files("experiments"), ids=_name)
def test_experiments_library_is_built_on_and_never_builds_on_the_applications(path):
    bad = experiments_violations(_name(path), imports(path))
    assert not bad, f"{_name(path)} imports {sorted(bad)} (see the direction rules in tests/test_layers.py)"


def test_the_experiments_checker_sees_a_reverse_edge_inside_a_function():
    """The store reaching up to the worker, or a report module to the CLI, inside a function, is caught."""
    probe = ROOT / "experiments" / "store" / "probe.py"  # never written: parsed from text below
    tree = "def f():\n    from experiments.execution.worker import resolve_model\n    from . import parts\n"
    found = _imports_of(tree, probe)
    assert {"experiments.execution.worker", "experiments.store.parts"} <= found
    assert experiments_violations("experiments.store.probe", found) == {
        "experiments.execution.worker",
        "experiments.execution.worker.resolve_model",
    }
    assert experiments_violations("experiments.report.probe", {"experiments.cli.options"}) == {
        "experiments.cli.options"
    }
    assert not experiments_violations("experiments.cli.run", {"experiments.cli.options", "experiments.report.doc"})
    assert not experiments_violations("experiments.execution.runner", {"experiments.store.results", "sim.model"})
