"""Checks of a whole scenario that single fields cannot make: names used twice or misspelt, references to unknown
institutions, loss shares without a bearer, months outside the horizon (errors); institutions no product uses
(warnings)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.calendar import YearMonth

if TYPE_CHECKING:
    from sim.scenario import Scenario


def cross_problems(s: Scenario) -> list[tuple[str, str]]:
    """References and dates that single fields cannot check: unknown names, shares without a bearer."""
    return [*_name_problems(s), *_reference_problems(s), *_date_problems(s)]


def _name_problems(s: Scenario) -> list[tuple[str, str]]:
    """Names used twice in one list, or differing only by '-', '_' or case."""
    out: list[tuple[str, str]] = []
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
    return out


def _reference_problems(s: Scenario) -> list[tuple[str, str]]:
    """Products naming unknown banks or bearers, shares without a bearer, a scaled population read from CSV."""
    out: list[tuple[str, str]] = []
    banks = {b.name for b in s.banks}
    pools = {p.name for p in s.government.pools}
    guar = {g.name: g for g in s.guarantors}
    insurers = {i.name for i in s.insurers}
    funds = {f.name for f in s.vc_funds}
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
    return out


def _date_problems(s: Scenario) -> list[tuple[str, str]]:
    """Months outside the horizon (targets, product windows, pool, shock, injection and instrument starts), and
    targets on metrics the monthly table lacks."""
    from sim.metrics import monthly

    start, end = s.start_month, s.end_month
    out: list[tuple[str, str]] = []

    def check(path: str, month: str, last: YearMonth = end) -> None:
        if not start <= YearMonth.parse(month) <= last:
            out.append((path, f"{month} is outside the horizon {start}–{end}"))

    names = set(monthly())
    for i, t in enumerate(s.targets):
        check(f"targets.{i}.date", t.date)
        if t.base_date not in (None, "start"):
            check(f"targets.{i}.base_date", t.base_date)
        if t.metric is not None and t.metric not in names:
            out.append((f"targets.{i}.metric", f"unknown metric {t.metric!r}; see scenarios/README.md for the list"))
    for i, p in enumerate(s.products):
        for f in ("available_from", "available_until"):
            if getattr(p, f) is not None:
                check(f"products.{i}.{f}", getattr(p, f), end.plus(1))
    months = [(f"government.pools.{i}.start", pool.start) for i, pool in enumerate(s.government.pools)]
    months += [(f"macro.shocks.{i}.start", sh.start) for i, sh in enumerate(s.macro.shocks)]
    for i, g in enumerate(s.guarantors):
        months += [(f"guarantors.{i}.injections.{j}", d) for j, (d, _) in enumerate(g.injections)]
    for path, v in [*months, *instrument_starts(s)]:
        if v is not None:
            check(path, v)
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
    used = _bearers_in_use(s)
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


def _bearers_in_use(s: Scenario) -> dict[str, set[str]]:
    """The names of banks, pools, guarantors, insurers and funds that some product gives a share of its losses."""
    used: dict[str, set[str]] = {k: set() for k in ("banks", "pools", "guarantors", "insurers", "vc_funds")}
    for p in s.products:
        used["banks"] |= set(p.banks)
        bearers: tuple[tuple[str, Any, float], ...] = (
            ("pools", p.pool, p.shares.pool),
            ("guarantors", p.guarantor, p.shares.guarantor),
            ("guarantors", p.reguarantor, p.shares.reguarantor),
            ("insurers", p.insurer, p.shares.insurer),
            ("vc_funds", p.vc_fund, p.shares.vc),
        )
        for kind, name, share in bearers:
            if name is not None and share > 0:
                used[kind].add(name)
    return used
