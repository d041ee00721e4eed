"""Parameter-space files: named parameters over a base scenario, each a lever or an uncertainty.

A space file (YAML) names the base scenario, fixed ``overrides`` applied to it first, the output ``metrics``
and the ``parameters``. A parameter sets one dotted scenario path (``path``) or several linked ones
(``paths: {dotted.path: expression}``, where the expression is arithmetic in ``x``, the parameter's value:
``{products.p.shares.pool: "x", products.p.shares.bank: "1 - x"}`` keeps the loss shares summing to 1). Its
values come from ``bounds`` (uniform) or a distribution (``dist``: triang with ``peak`` as a share of the
width, norm / lognorm with ``mean`` and ``sd``, truncnorm with bounds, mean and sd, logunif with bounds), as
SALib's ``dists``. ``role`` separates policy levers from exogenous uncertainties (EMA Workbench).
"""

from __future__ import annotations

import ast
import math
import operator
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from experiments.plan.spacecheck import check_against_base

SPACE_DIR = Path(__file__).resolve().parents[2] / "scenarios" / "spaces"
DEFAULT_METRICS = ("credit_cagr", "net_public_cost_wan", "pool_months_to_depletion_censored", "pool_depleted")
BOUNDED = ("unif", "logunif", "triang", "truncnorm")


class Parameter(BaseModel):
    """One named parameter of a space."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: str | None = Field(None, description="Name (default: the path). Required with ``paths``.")
    path: str | None = Field(None, description="Dotted scenario path the value is written to.")
    paths: dict[str, str] | None = Field(None, description="Linked dotted paths, each an expression in x.")
    role: Literal["lever", "uncertainty"] = Field(description="Policy lever or exogenous uncertainty.")
    label: str = Field(
        "", description='Name shown in reports, "中文 — English" (the Chinese part in zh reports); default its name.'
    )
    description: str = ""
    dist: Literal["unif", "logunif", "triang", "norm", "truncnorm", "lognorm"] = "unif"
    bounds: tuple[float, float] | None = Field(None, description="Lower and upper bound.")
    peak: float | None = Field(None, ge=0.0, le=1.0, description="triang: peak as a share of the width.")
    mean: float | None = Field(None, description="norm / truncnorm mean; lognorm: mean of ln(value).")
    sd: float | None = Field(None, gt=0.0, description="norm / truncnorm sd; lognorm: sd of ln(value).")
    integer: bool = Field(False, description="Round values to whole numbers.")

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        if self.path is not None and self.paths is not None:
            raise ValueError("give either path or paths, not both")
        if self.paths is not None and self.name is None:
            raise ValueError("a parameter with linked paths needs a name")
        if self.path is None and self.paths is None and self.name is None:
            raise ValueError("a parameter needs a path, linked paths, or (for a function model) a name")
        need = {
            "unif": ("bounds",),
            "logunif": ("bounds",),
            "triang": ("bounds", "peak"),
            "norm": ("mean", "sd"),
            "lognorm": ("mean", "sd"),
            "truncnorm": ("bounds", "mean", "sd"),
        }[self.dist]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"dist {self.dist} needs {', '.join(missing)}")
        if self.bounds is not None and not self.bounds[0] < self.bounds[1]:
            raise ValueError(f"bounds {list(self.bounds)}: the lower bound must be below the upper bound")
        if self.dist == "logunif" and self.bounds[0] <= 0:
            raise ValueError("logunif bounds must be positive")
        for target, expr in (self.paths or {}).items():
            try:
                evaluate(expr, 0.5)
            except ValueError as e:
                raise ValueError(f"paths.{target}: {e}") from None
        return self

    @property
    def key(self) -> str:
        """The parameter's name (its path when it has no name)."""
        return self.name or self.path or ""

    def salib(self) -> tuple[list[float], str]:
        """SALib ``bounds`` entry and ``dists`` name."""
        lo, hi = self.bounds or (math.nan, math.nan)
        spec = {
            "unif": [lo, hi],
            "logunif": [lo, hi],
            "triang": [lo, hi, self.peak],
            "norm": [self.mean, self.sd],
            "lognorm": [self.mean, self.sd],
            "truncnorm": [lo, hi, self.mean, self.sd],
        }[self.dist]
        return [float(v) for v in spec], self.dist

    def assignments(self, x: float) -> dict[str, Any]:
        """The dotted overrides this parameter makes at value ``x``."""
        if self.paths is not None:
            return {target: evaluate(expr, x) for target, expr in self.paths.items()}
        return {self.path: x} if self.path is not None else {}


class Space(BaseModel):
    """A parameter space over a base scenario (or over a plain function model when ``base`` is None)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: str = Field("space", description="Short identifier (default: the file's stem).")
    title: str = ""
    description: str = ""
    base: str | None = Field(None, description="Base scenario: bundled name or path (relative to the file).")
    overrides: dict[str, Any] = Field({}, description="Fixed dotted overrides applied to the base first.")
    months: int | None = Field(None, ge=1, description="Months simulated (default: the base's horizon).")
    metrics: list[str] = Field(list(DEFAULT_METRICS), min_length=1, description="Outcome columns analysed.")
    parameters: list[Parameter] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Space:
        keys = [p.key for p in self.parameters]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ValueError(f"parameter names used twice: {dup}")
        return self

    @property
    def names(self) -> list[str]:
        """Parameter names in file order."""
        return [p.key for p in self.parameters]

    def problem(self) -> dict[str, Any]:
        """The SALib problem dict (``num_vars``, ``names``, ``bounds``, ``dists``)."""
        specs = [p.salib() for p in self.parameters]
        return {
            "num_vars": len(specs),
            "names": self.names,
            "bounds": [b for b, _ in specs],
            "dists": [d for _, d in specs],
        }

    def scale(self, unit: np.ndarray) -> np.ndarray:
        """Map points of the unit cube (rows) to parameter values through each distribution."""
        from SALib.util import scale_samples

        values = scale_samples(np.array(unit, dtype=float, copy=True), self.problem())
        for j, p in enumerate(self.parameters):
            if p.integer:
                values[:, j] = np.round(values[:, j])
        return values

    def overrides_for(self, values: dict[str, float], fixed: bool = True) -> dict[str, Any]:
        """Fixed overrides (unless ``fixed`` is False), then every parameter's dotted assignments at ``values``."""
        out = dict(self.overrides) if fixed else {}
        for p in self.parameters:
            x = values[p.key]
            out.update(p.assignments(int(x) if p.integer else float(x)))
        return out

    def mid(self) -> dict[str, float]:
        """Each parameter at the middle of its distribution (unit value 0.5)."""
        return {
            n: float(v) for n, v in zip(self.names, self.scale(np.full((1, len(self.parameters)), 0.5))[0], strict=True)
        }


_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
_FUNCS = {"min": min, "max": max, "abs": abs, "round": round}


MAX_EXPR_CHARS = 200
MAX_POWER = 100


def evaluate(expr: str, x: float) -> float:
    """Evaluate arithmetic in ``x`` (numbers, + - * / **, min, max, abs, round) without ``eval``."""
    if len(str(expr)) > MAX_EXPR_CHARS:
        raise ValueError(f"expression of {len(str(expr))} characters: at most {MAX_EXPR_CHARS}")
    try:
        tree = ast.parse(str(expr), mode="eval")
    except (SyntaxError, RecursionError, MemoryError):
        raise ValueError(f"{expr!r} is not an arithmetic expression in x") from None

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return float(node.value)  # float arithmetic: a huge power overflows at once instead of hanging
        if isinstance(node, ast.Name) and node.id == "x":
            return x
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > MAX_POWER:
                raise ValueError(f"{expr!r}: a power above {MAX_POWER} is not allowed")
            return _OPS[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.operand))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS:
            if node.keywords:
                raise ValueError(f"{expr!r}: keyword arguments are not allowed")
            return _FUNCS[node.func.id](*(walk(a) for a in node.args))
        raise ValueError(f"{expr!r}: only numbers, x, + - * / **, min, max, abs and round are allowed")

    try:
        value = float(walk(tree))
    except (ArithmeticError, TypeError, RecursionError) as e:
        raise ValueError(f"{expr!r}: {e}") from None
    if not math.isfinite(value):
        raise ValueError(f"{expr!r}: not a finite number at x = {x:g}")
    return value


def load_space(ref: str | Path, check: bool = True) -> tuple[Space, Path]:
    """Read and validate a space file (bundled name or path); with ``check``, apply each parameter's middle
    value to the base scenario so a wrong path or an impossible value is reported before any run."""
    import yaml

    from sim.scenario import ScenarioError, resolve_file, validation_problems

    path = resolve_file(ref, SPACE_DIR, "space")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ScenarioError(str(path), [("file", f"cannot read a YAML mapping: {e}")]) from None
    if not isinstance(raw, dict):
        raise ScenarioError(str(path), [("file", "must be a mapping with base, metrics and parameters")])
    raw.setdefault("name", path.stem)
    if isinstance(raw.get("base"), str) and raw["base"].endswith((".yaml", ".yml")):
        raw["base"] = str((path.parent / raw["base"]).resolve())
    try:
        space = Space.model_validate(raw)
    except ValidationError as e:
        raise ScenarioError(str(path), validation_problems(e, Space, "space")) from None
    if check and space.base is not None:
        check_against_base(space, str(path))
    return space, path
