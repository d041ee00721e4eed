"""Scenario problems a user can fix, and the one formatter of pydantic errors (scenarios, spaces, calibration
files): each problem is ``(field.path, reason)``, an unknown key lists the keys valid at its place."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

_ITEM, _PATH = "\x1e", "\x1f"  # separators of cross-check problems packed into one pydantic error


class ScenarioError(ValueError):
    """A scenario problem a user can fix: each entry of ``problems`` is ``(field.path, reason)``."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {path}: {reason}" for path, reason in problems))


def pack_problems(problems: list[tuple[str, str]]) -> str:
    """Several ``(path, reason)`` problems as the text of one validator error; ``validation_problems`` unpacks
    them."""
    return _ITEM.join(f"{p}{_PATH}{r}" for p, r in problems)


def validation_problems(e: ValidationError, model: type[BaseModel], what: str = "scenario") -> list[tuple[str, str]]:
    """The one formatter of pydantic errors (scenarios, spaces, calibration files): ``(field.path, reason)`` each,
    an unknown key with the keys valid at its place in ``model``, cross-checks unpacked, ``what`` for the root."""
    out = []
    for err in e.errors():
        path = ".".join(str(x) for x in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown key; valid keys here: {', '.join(_valid_keys(model, err['loc'][:-1]))}"
        if _PATH in msg:  # cross-checks come packed in one message
            out.extend(tuple(part.split(_PATH, 1)) for part in msg.split(_ITEM))
            continue
        out.append((path or what, msg))
    return out


def _valid_keys(root: type[BaseModel], loc: tuple) -> list[str]:
    model: Any = root
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        model = inner_model(field.annotation)
    return sorted(model.model_fields) if model is not None else []


def inner_model(ann: Any) -> Any:
    """The pydantic model a field's annotation holds (``BankParams`` in ``list[BankParams]`` or ``X | None``), or
    None."""
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()):
        found = inner_model(arg)
        if found is not None:
            return found
    return None
