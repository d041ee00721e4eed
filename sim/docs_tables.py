"""Markdown tables for ``scenarios/README.md`` (``sim.docs``), and the field reference read from the pydantic
models: for ``Scenario`` and every nested ``Strict`` block, each field's dotted path (list items shown as
``banks[]``), type with bounds, unit (from the name's suffix), default and description."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sim.docs_text import FIELDS_NOTE
from sim.scenario import Scenario
from sim.scenario_errors import inner_model
from sim.schema import Strict

#: Name suffix → unit shown in the tables (house naming rule, design STYLE.md).
UNITS = {"_wan": "万元", "_rate": "annual decimal", "_share": "0–1", "_months": "months", "_prob": "per month"}


@dataclass(frozen=True)
class Row:
    """One line of a field table."""

    path: str
    type: str
    unit: str
    default: str
    description: str


def type_name(ann: Any) -> str:
    """A short readable form of a type annotation (``float``, ``list[BankParams]``, ``str | None``).

    Args:
        ann: the annotation of a pydantic field.

    Returns:
        The type as it would be written in Python, without ``typing.`` prefixes or field metadata.
    """
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if ann is type(None):
        return "None"
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(a) for a in args)
    if origin in (list, tuple):
        return f"{origin.__name__}[{', '.join(type_name(a) for a in args)}]"
    return getattr(ann, "__name__", str(ann))


def bounds(field: FieldInfo) -> str:
    """The numeric bounds of a field (``≥ 0``, ``0–1``, ``> 0``), also inside ``X | None``; "" if none."""
    metadata = list(field.metadata)
    for arg in typing.get_args(field.annotation):
        if typing.get_origin(arg) is typing.Annotated:
            for extra in typing.get_args(arg)[1:]:
                metadata.extend(extra.metadata if isinstance(extra, FieldInfo) else [extra])
    low = next((f"≥ {fmt(m.ge)}" for m in metadata if isinstance(m, at.Ge)), "")
    low = low or next((f"> {fmt(m.gt)}" for m in metadata if isinstance(m, at.Gt)), "")
    high = next((f"≤ {fmt(m.le)}" for m in metadata if isinstance(m, at.Le)), "")
    high = high or next((f"< {fmt(m.lt)}" for m in metadata if isinstance(m, at.Lt)), "")
    if low.startswith("≥") and high.startswith("≤"):
        return f"{low[2:]}–{high[2:]}"
    return ", ".join(b for b in (low, high) if b)


def unit_of(name: str, inherited: str = "") -> str:
    """Unit from a field name's suffix; a field without one inherits its parent's (``monthly_revenue_wan.seed``)."""
    return next((u for suffix, u in UNITS.items() if name.endswith(suffix)), inherited)


def fmt(value: Any) -> str:
    """A default value as it would be written in YAML; long lists are shortened."""
    if value is PydanticUndefined:
        return "required"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, BaseModel):
        return str(value.name) if hasattr(value, "name") else "see below"
    if isinstance(value, list | tuple):
        items = [fmt(v) for v in value]
        if len(items) > 3:
            items = [*items[:2], f"… ({len(items)} entries)"]
        return "[" + ", ".join(items) + "]"
    return str(value)


def block_of(ann: Any) -> tuple[type[Strict] | None, bool]:
    """The ``Strict`` block a field holds, and whether it is a list of them (``banks: list[BankParams]``)."""
    block = inner_model(ann)
    return block, block is not None and typing.get_origin(ann) is list


def doc_line(model: type) -> str:
    """First line of a class docstring."""
    lines = (model.__doc__ or "").strip().splitlines()
    return lines[0] if lines else ""


def walk(model: type[Strict], prefix: str = "", defaults: BaseModel | None = None, unit: str = "") -> list[Row]:
    """Rows for every field of ``model`` and, depth first, of the blocks it contains.

    Args:
        model: the schema block to describe.
        prefix: dotted path of the block (``enterprises``, ``banks[]``); "" at the top.
        defaults: the block's default instance when its parent gives one (its values are the leaves' defaults).
        unit: unit inherited from the parent field's suffix.

    Returns:
        One row per field, in declaration order, nested blocks right after the field that holds them.
    """
    rows = []
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        default = getattr(defaults, name) if defaults is not None else field.default
        block, is_list = block_of(field.annotation)
        field_unit = unit_of(name, unit)
        kind = type_name(field.annotation)
        extra = bounds(field)
        desc = field.description or (doc_line(block) if block else "")
        shown = "see below" if block and not is_list and isinstance(default, BaseModel) else fmt(default)
        rows.append(
            Row(path + ("[]" if is_list else ""), f"{kind} ({extra})" if extra else kind, field_unit, shown, desc)
        )
        if block is not None:
            child_defaults = default if isinstance(default, BaseModel) and not is_list else None
            rows.extend(walk(block, path + ("[]" if is_list else ""), child_defaults, field_unit))
    return rows


def cell(text: str) -> str:
    """Escape a markdown table cell; docstring-style ``code`` becomes markdown `code`."""
    return text.replace("``", "`").replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list[str]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def field_reference() -> str:
    """The field tables: one for the top-level scalars, then one section per top-level block."""
    header = ["field", "type", "unit", "default", "description"]
    rows = walk(Scenario)
    tops, sections = [], []
    for name, field in Scenario.model_fields.items():
        block, is_list = block_of(field.annotation)
        key = name + ("[]" if is_list else "")
        body = [r for r in rows if r.path == key or r.path.startswith(key + ".")]
        if block is None:
            tops.extend(body)
        else:
            sections.append((f"### `{key}` — {doc_line(block).replace('``', '`')}\n", body))
    out = ["## Field reference\n", FIELDS_NOTE]
    for title, body in [("### Top level\n", tops), *sections]:
        out += [title, table(header, [[f"`{r.path}`", r.type, r.unit, r.default, r.description] for r in body])]
    return "\n".join(out)
