"""Scenarios: the validated top-level model, loading (with ``extends``) and dotted-path overrides.

``load_scenario("jiaxing-2017")`` loads a bundled file from ``scenarios/``; any other string is a path.
A file may say ``extends: other-name`` and give only what differs: mappings merge key by key, lists of named
items (banks, products, pools, ...) merge item by item on ``name``, and any other value replaces the base's.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from sim.calendar import YearMonth
from sim.schema import (
    BankParams,
    EnterpriseParams,
    FixedMode,
    GovernmentParams,
    GuarantorParams,
    InsurerParams,
    MacroParams,
    Platforms,
    ProductParams,
    Strict,
    Target,
    VentureFundParams,
)

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
_ITEM, _PATH = "\x1e", "\x1f"  # separators of cross-check problems packed into one pydantic error


class ScenarioError(ValueError):
    """A scenario problem a user can fix: each entry of ``problems`` is ``(field.path, reason)``."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {path}: {reason}" for path, reason in problems))


class Scenario(Strict):
    """A complete, validated scenario: the region's ecosystem and its policies."""

    name: str = Field(description="Short identifier, e.g. jiaxing-2017.")
    title: str = Field("", description="Human-readable title.")
    source: str = Field("", description="The plan document the scenario encodes.")
    start: str = Field("2018-01", description="First simulated month, YYYY-MM.")
    horizon_months: int = Field(36, ge=1, le=600, description="Months simulated.")
    burn_in_months: int = Field(
        24,
        ge=0,
        le=240,
        description="Months of the region without policy run before the start and not reported, so the first month"
        " is the steady state (docs/model.md §8): borrower share, loan ages, prices and NPL history.",
    )
    enterprises: EnterpriseParams = Field(EnterpriseParams())
    banks: list[BankParams] = Field([BankParams(name="bank")], min_length=1)
    guarantors: list[GuarantorParams] = Field([])
    insurers: list[InsurerParams] = Field([])
    vc_funds: list[VentureFundParams] = Field(
        [], description="Venture and guidance funds that bear a share of loan losses (投贷联动)."
    )
    government: GovernmentParams = Field(GovernmentParams())
    products: list[ProductParams] = Field([ProductParams(name="credit", banks=["bank"])], min_length=1)
    macro: MacroParams = Field(MacroParams())
    platforms: Platforms = Field(Platforms())
    fixed: FixedMode = Field(FixedMode())
    targets: list[Target] = Field([])

    @field_validator("start", mode="before")
    @classmethod
    def _start_month(cls, v: Any) -> str:
        return str(YearMonth.parse(str(v)))

    @model_validator(mode="after")
    def _cross_check(self) -> Scenario:
        problems = cross_problems(self)
        if problems:
            raise ValueError(_ITEM.join(f"{p}{_PATH}{r}" for p, r in problems))
        return self

    @property
    def start_month(self) -> YearMonth:
        """The first simulated month."""
        return YearMonth.parse(self.start)

    @property
    def end_month(self) -> YearMonth:
        """The last simulated month."""
        return self.start_month.plus(self.horizon_months - 1)

    def with_overrides(self, overrides: dict[str, Any], source: str = "overrides") -> Scenario:
        """A new validated Scenario with ``{"dotted.path": value}`` applied (list items by index or name)."""
        data = self.model_dump(mode="json")
        for key, value in overrides.items():
            set_dotted(data, key, value, source)
        return validate(data, source)

    def digest(self) -> str:
        """SHA-256 of the validated content (what the run actually used)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def cross_problems(s: Scenario) -> list[tuple[str, str]]:
    """References and dates that single fields cannot check: unknown names, shares without a bearer."""
    out: list[tuple[str, str]] = []
    banks = {b.name for b in s.banks}
    pools = {p.name for p in s.government.pools}
    guar = {g.name: g for g in s.guarantors}
    insurers = {i.name for i in s.insurers}
    funds = {f.name for f in s.vc_funds}
    for kind, items in (
        ("banks", s.banks),
        ("guarantors", s.guarantors),
        ("insurers", s.insurers),
        ("vc_funds", s.vc_funds),
        ("products", s.products),
        ("government.pools", s.government.pools),
    ):
        names = [x.name for x in items]
        for n in sorted({n for n in names if names.count(n) > 1}):
            out.append((kind, f"name {n!r} is used twice"))
        folded: dict[str, str] = {}
        for n in dict.fromkeys(names):
            twin = folded.setdefault(_fold(n), n)
            if twin != n:
                why = (
                    f"names {twin!r} and {n!r} differ only by '-', '_' or case: a typo (in a file that extends"
                    f" another, a misspelt name adds an item instead of changing {twin!r})"
                )
                out.append((kind, why))
    for i, p in enumerate(s.products):
        where = f"products.{i}"
        for b in p.banks:
            if b not in banks:
                out.append((f"{where}.banks", f"unknown bank {b!r}{_did_you_mean(b, banks)}"))
        if not p.banks:
            out.append((f"{where}.banks", "a product needs at least one bank"))
        refs = (
            ("pool", p.pool, pools, "pool"),
            ("guarantor", p.guarantor, set(guar), "guarantor"),
            ("reguarantor", p.reguarantor, set(guar), "reguarantor"),
            ("insurer", p.insurer, insurers, "insurer"),
            ("vc_fund", p.vc_fund, funds, "vc"),
        )
        for field, name, known, share in refs:
            if name is not None and name not in known:
                out.append((f"{where}.{field}", f"unknown {field} {name!r}{_did_you_mean(name, known)}"))
            if getattr(p.shares, share) > 0 and name is None:
                out.append(
                    (f"{where}.{field}", f"shares.{share} is {getattr(p.shares, share)} but no {field} is named")
                )
        if p.reguarantor is not None and p.reguarantor in guar and not guar[p.reguarantor].reguarantor:
            out.append((f"{where}.reguarantor", f"{p.reguarantor!r} is not marked reguarantor: true"))
    if s.enterprises.csv and s.enterprises.scale != 1.0:
        out.append(("enterprises.scale", "a population read from enterprises.csv cannot be scaled: sample the table"))
    start, end = s.start_month, s.end_month
    from sim.metrics import monthly

    names = set(monthly())
    for i, t in enumerate(s.targets):
        if not start <= YearMonth.parse(t.date) <= end:
            out.append((f"targets.{i}.date", f"{t.date} is outside the horizon {start}–{end}"))
        if t.base_date not in (None, "start") and not start <= YearMonth.parse(t.base_date) <= end:
            out.append((f"targets.{i}.base_date", f"{t.base_date} is outside the horizon {start}–{end}"))
        if t.metric is not None and t.metric not in names:
            out.append((f"targets.{i}.metric", f"unknown metric {t.metric!r}; see scenarios/README.md for the list"))
    for i, p in enumerate(s.products):
        for f in ("available_from", "available_until"):
            v = getattr(p, f)
            if v is not None and not start <= YearMonth.parse(v) <= end.plus(1):
                out.append((f"products.{i}.{f}", f"{v} is outside the horizon {start}–{end}"))
    for i, pool in enumerate(s.government.pools):
        if pool.start is not None and not start <= YearMonth.parse(pool.start) <= end:
            out.append((f"government.pools.{i}.start", f"{pool.start} is outside the horizon {start}–{end}"))
    for i, sh in enumerate(s.macro.shocks):
        if not start <= YearMonth.parse(sh.start) <= end:
            out.append((f"macro.shocks.{i}.start", f"{sh.start} is outside the horizon {start}–{end}"))
    for i, g in enumerate(s.guarantors):
        for j, (d, _) in enumerate(g.injections):
            if not start <= YearMonth.parse(d) <= end:
                out.append((f"guarantors.{i}.injections.{j}", f"{d} is outside the horizon {start}–{end}"))
    for path, v in instrument_starts(s):
        if not start <= YearMonth.parse(v) <= end:
            out.append((path, f"{v} is outside the horizon {start}–{end}"))
    return out


def instrument_starts(s: Scenario) -> list[tuple[str, str]]:
    """(field path, month) of every phase-in month an instrument sets (``start`` fields of issue 10)."""
    g = s.government
    out = [(f"government.{f}", getattr(g, f)) for f in ("fund_start", "vc_guidance_start", "listing_start")]
    out += [("platforms.start", s.platforms.start), ("platforms.red_list.start", s.platforms.red_list.start)]
    out += [("enterprises.bonds.start", s.enterprises.bonds.start)]
    out += [(f"banks.{i}.quota_start", b.quota_start) for i, b in enumerate(s.banks)]
    out += [(f"insurers.{i}.tech.start", x.tech.start) for i, x in enumerate(s.insurers)]
    out += [(f"vc_funds.{i}.start", f.start) for i, f in enumerate(s.vc_funds)]
    return [(p, v) for p, v in out if v is not None]


def _fold(name: str) -> str:
    return name.replace("_", "-").lower()


def _did_you_mean(name: str, known: set[str]) -> str:
    """'; did you mean 'x'?' when a known name differs only by -/_/case, else the list of known names."""
    match = next((k for k in sorted(known) if _fold(k) == _fold(name)), None)
    return f"; did you mean {match!r}?" if match else f"; known: {sorted(known)}"


def scenario_warnings(s: Scenario) -> list[str]:
    """Things that are valid but probably not meant: a bank, pool, guarantor or insurer no product uses."""
    used: dict[str, set[str]] = {
        "banks": set(),
        "pools": set(),
        "guarantors": set(),
        "insurers": set(),
        "vc_funds": set(),
    }
    for p in s.products:
        used["banks"] |= set(p.banks)
        for kind, name, share in (
            ("pools", p.pool, p.shares.pool),
            ("guarantors", p.guarantor, p.shares.guarantor),
            ("guarantors", p.reguarantor, p.shares.reguarantor),
            ("insurers", p.insurer, p.shares.insurer),
            ("vc_funds", p.vc_fund, p.shares.vc),
        ):
            if name is not None and share > 0:
                used[kind].add(name)
    out = []
    for kind, items in (
        ("banks", s.banks),
        ("pools", s.government.pools),
        ("guarantors", s.guarantors),
        ("insurers", s.insurers),
        ("vc_funds", s.vc_funds),
    ):
        for x in items:
            if x.name not in used[kind] and not (kind == "insurers" and x.tech.uptake_share > 0):
                out.append(f"{kind}: {x.name!r} bears no share of any product (no product uses it)")
    return out


def _merge(base: Any, delta: Any) -> Any:
    if isinstance(base, dict) and isinstance(delta, dict):
        out = dict(base)
        for k, v in delta.items():
            out[k] = _merge(base[k], v) if k in base else v
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
                out[i] = _merge(out[i], item)
            else:
                out.append(item)
                names.append(item["name"])
        return out
    return copy.deepcopy(delta)


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
    if not path.exists():
        raise ScenarioError(str(path), [("file", "file not found")])
    if path.resolve() in _seen:
        raise ScenarioError(str(path), [("extends", "circular extends")])
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
    parent = data.pop("extends", None)
    if parent is not None:
        if not isinstance(parent, str) or not parent.strip():
            raise ScenarioError(str(path), [("extends", "must name a bundled scenario or a .yaml file")])
        base_ref = resolve_scenario(parent, relative_to=path.parent)  # a bare name is a bundled scenario
        base, _ = read_raw(base_ref, (*_seen, path.resolve()))
        data = _merge(base, data)
    csv = data.get("enterprises", {}).get("csv") if isinstance(data.get("enterprises"), dict) else None
    if csv and not Path(csv).is_absolute():
        data["enterprises"]["csv"] = str((path.parent / csv).resolve())
    return data, path


def validate(data: dict[str, Any], source: str) -> Scenario:
    """Validate a mapping as a Scenario, raising ScenarioError naming each field and reason."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        raise ScenarioError(source, validation_problems(e, Scenario)) from None


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
        model = _inner_model(field.annotation)
    return sorted(model.model_fields) if model is not None else []


def _inner_model(ann: Any) -> Any:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


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


def load_scenario(name_or_path: str | Path | Scenario, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load a bundled scenario by name or a YAML file by path, validate it and apply overrides."""
    if isinstance(name_or_path, Scenario):
        return name_or_path.with_overrides(overrides) if overrides else name_or_path
    data, path = read_raw(name_or_path)
    scenario = validate(data, str(path))
    return scenario.with_overrides(overrides, source=str(path)) if overrides else scenario


def is_policy_product(p: ProductParams) -> bool:
    """A product exists because of policy if anyone but the bank bears loss or anything is subsidised."""
    subsidies = (
        p.interest_subsidy_share,
        p.fee_subsidy_share,
        p.premium_subsidy_share,
        p.first_loan_interest_subsidy_share or 0.0,
    )
    return p.shares.bank < 1.0 or any(x > 0 for x in subsidies)


def without_policy(s: Scenario) -> Scenario:
    """The paired counterfactual: the same region with plain bank credit and no public money.

    Plain commercial products (the bank bears the whole loss, nothing subsidised) are kept as written; policy
    products are dropped, and a bank left with nothing offers a plain one-year loan. Pools, the special fund,
    platforms, re-lending, due-diligence exemption, NPL tolerance above the regulatory default, set-aside
    quotas, guarantor injections and subsidised tech insurance are removed. Credit beyond this run is the
    policy's additionality.
    """
    data = _without_fiscal_data(s)
    data["platforms"] = {}
    tolerance = BankParams.model_fields["npl_tolerance"].default
    for b in data["banks"]:
        b.update(relending_discount_rate=0.0, loss_weight=1.0, annual_quota_wan=None)
        b["npl_tolerance"] = min(b["npl_tolerance"], tolerance)
    data["name"] = f"{s.name}-no-policy"
    return validate(data, data["name"])


def without_fiscal(s: Scenario) -> Scenario:
    """The same region with only the plan's free regulatory levers: platforms, due-diligence exemption, NPL
    tolerance, set-aside quotas and re-lending stay; every instrument that costs public money goes (policy
    products, the special fund, pools, guarantor injections, subsidised tech insurance). Credit beyond
    ``without_policy`` in this run is what the free levers add; the rest of the additionality is fiscal."""
    data = _without_fiscal_data(s)
    data["name"] = f"{s.name}-no-fiscal"
    return validate(data, data["name"])


def _without_fiscal_data(s: Scenario) -> dict[str, Any]:
    data = s.model_dump(mode="json")
    plain = [p.model_dump(mode="json") for p in s.products if not is_policy_product(p)]
    served = {b for p in plain for b in p["banks"]}
    orphans = [b.name for b in s.banks if b.name not in served]
    if orphans:
        plain.append({"name": "plain-credit", "banks": orphans})
    for p in plain:
        p["pool"] = None  # a plain product may name a pool with share 0; the pools go
    data["products"] = plain
    data["government"] = {}
    for g in data["guarantors"]:
        g["injections"] = []
    for ins in data["insurers"]:
        ins["tech"]["uptake_share"] = 0.0
    return data
