"""Scenario files: the one resolver of "bundled name or path", reading a file with its ``extends`` chain, and
dotted-path overrides.

A file may say ``extends: other-name`` and give only what differs: mappings merge key by key, lists of named
items (banks, products, pools, ...) merge item by item on ``name``, and any other value replaces the base's.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from sim.scenario_errors import ScenarioError

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"


def resolve_file(ref: str | Path, folder: Path, kind: str = "scenario", relative_to: Path | None = None) -> Path:
    """The one resolver of "bundled name or path" (scenarios, spaces): a ``.yaml``/``.yml`` path (relative to
    ``relative_to`` when given, i.e. the file that names it), an existing file, or else ``folder/<ref>.yaml``. A
    folder of the same name in the working directory does not shadow a bundled file.

    Raises:
        ScenarioError: The path does not exist, or the name is not bundled (the message lists what is).
    """
    p = Path(ref)
    if p.suffix in (".yaml", ".yml"):
        p = p if relative_to is None or p.is_absolute() else relative_to / p
        if not p.is_file():
            raise ScenarioError(str(p), [("file", "file not found")])
        return p
    if relative_to is None and p.is_file():
        return p
    bundled = folder / f"{ref}.yaml"
    if bundled.is_file():
        return bundled
    known = ", ".join(sorted(q.stem for q in folder.glob("*.yaml")))
    raise ScenarioError(str(ref), [(kind, f"no such file or bundled {kind} (bundled: {known})")])


def resolve_scenario(ref: str | Path, relative_to: Path | None = None) -> Path:
    """The file of scenario reference ``ref`` (a bundled name or a path); see ``resolve_file``."""
    return resolve_file(ref, SCENARIO_DIR, "scenario", relative_to)


def bundled_names() -> list[str]:
    """Names of the scenarios shipped in ``scenarios/``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def read_raw(name_or_path: str | Path, _seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], Path]:
    """The merged mapping of a scenario file after following ``extends``, and the file's path."""
    path = resolve_scenario(name_or_path)
    if path.resolve() in _seen:
        raise ScenarioError(str(path), [("extends", "circular extends")])
    data = _read_mapping(path)
    parent = data.pop("extends", None)
    if parent is not None:
        if not isinstance(parent, str) or not parent.strip():
            raise ScenarioError(str(path), [("extends", "must name a bundled scenario or a .yaml file")])
        base_ref = resolve_scenario(parent, relative_to=path.parent)  # a bare name is a bundled scenario
        base, _ = read_raw(base_ref, (*_seen, path.resolve()))
        data = merge(base, data)
    csv = data.get("enterprises", {}).get("csv") if isinstance(data.get("enterprises"), dict) else None
    if csv and not Path(csv).is_absolute():
        data["enterprises"]["csv"] = str((path.parent / csv).resolve())
    return data, path


def _read_mapping(path: Path) -> dict[str, Any]:
    """The YAML mapping in ``path``; a missing, unreadable or malformed file is a ScenarioError naming it."""
    if not path.exists():
        raise ScenarioError(str(path), [("file", "file not found")])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError(str(path), [("file", "not UTF-8 text (save the file as UTF-8)")]) from None
    except IsADirectoryError:
        raise ScenarioError(str(path), [("file", "is a folder, not a scenario file")]) from None
    except OSError as e:
        raise ScenarioError(str(path), [("file", f"cannot be read ({e.strerror or e.__class__.__name__})")]) from None
    except yaml.YAMLError as e:
        raise ScenarioError(str(path), [("file", f"not valid YAML: {e}")]) from None
    if not isinstance(data, dict):
        raise ScenarioError(str(path), [("file", "must be a mapping of fields")])
    return data


def merge(base: Any, delta: Any) -> Any:
    """``delta`` laid over ``base`` by the ``extends`` rules (see the module docstring)."""
    if isinstance(base, dict) and isinstance(delta, dict):
        out = dict(base)
        for k, v in delta.items():
            out[k] = merge(base[k], v) if k in base else v
        return out
    if (
        isinstance(base, list)
        and isinstance(delta, list)
        and delta
        and all(isinstance(x, dict) and "name" in x for x in base + delta)
    ):
        out = list(base)
        names = [x["name"] for x in out]
        for item in delta:
            if item["name"] in names:
                i = names.index(item["name"])
                out[i] = merge(out[i], item)
            else:
                out.append(item)
                names.append(item["name"])
        return out
    return copy.deepcopy(delta)


def set_dotted(data: dict[str, Any], key: str, value: Any, source: str = "overrides") -> None:
    """Set ``a.b.0.c`` (or ``banks.techbank.spread_rate``, list items by name) in a nested mapping."""
    parts = key.split(".")
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            idx = _list_index(node, part)
            if idx is None:
                raise ScenarioError(source, [(key, f"no item {part!r} in {'.'.join(parts[:i]) or 'scenario'}")])
            if last:
                node[idx] = value
            node = node[idx]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            elif part not in node or node[part] is None:
                node[part] = {}
            node = node[part]
        else:
            raise ScenarioError(source, [(key, f"{'.'.join(parts[:i])} is a value, not a mapping")])


def _list_index(items: list, part: str) -> int | None:
    if part.lstrip("-").isdigit():
        i = int(part)
        return i if -len(items) <= i < len(items) else None
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return i
    return None
