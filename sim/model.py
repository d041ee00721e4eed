"""EcosystemModel: the regional sci-tech finance ecosystem as a Mesa model.

Firms are a columnar population, loans a columnar book, institutions ``mesa.Agent`` subclasses, and every
entity's money one account (``sim.accounts``). The keyword form ``EcosystemModel(scenario, rng=seed,
**{"dotted.path": value})`` lets ``mesa.batch_run`` and ``SolaraViz`` drive it; ``run()`` returns a RunResult.

The model starts in the region's own steady state: unless ``burn_in_months`` is 0, the region without policy is
run that many months before the start from its own random streams (``sim.burnin``) and its firms, loan book
and banks' NPL history become month 0.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from agents import Bank, Enterprises, Government, Guarantor, Insurer
from agents.firm_credit import vasicek_monthly
from agents.venture import VentureFund
from sim import bookings, burnin, market, population, programmes, settlement
from sim.accounts import Ledger
from sim.calendar import YearMonth, monthly_prob, rate_path
from sim.funnel import ProductFunnel
from sim.instruments import Instruments
from sim.loanbook import LoanBook
from sim.products import GUAR, INS, POOL, REGUAR, VC, compile_products
from sim.reporters import MonthlyRecorder, make_datacollector
from sim.result import RunResult, build_result
from sim.scale import apply_scale
from sim.scenario import Scenario, load_scenario
from sim.schema import Platforms
from sim.streams import Streams


def release_agent_ids(model: mesa.Model) -> None:
    """Drop Mesa's class-level reference to ``model`` once every agent exists.

    Mesa 3.3 keeps the per-model agent-id counter in ``mesa.Agent._ids``, a class attribute keyed by the model,
    which holds a strong reference to every model ever built (about 1 MB a run in long studies). Mesa 3.5 keeps
    the counter on the model itself (``Model.agent_id_counter``) and has no ``_ids``: nothing to release.
    """
    ids = getattr(mesa.Agent, "_ids", None)
    if ids is not None:
        ids.pop(model, None)


class EcosystemModel(mesa.Model):
    """One region's tech-finance ecosystem under one scenario, one month per step."""

    def __init__(
        self, scenario: str | Scenario = "baseline", *, rng: Any = None, stream_domain: int = 0, **overrides: Any
    ) -> None:
        """Build the region of ``scenario`` (a bundled name, a path or a Scenario) with dotted ``overrides``.

        Args:
            scenario: The scenario.
            rng: The root seed of every random stream.
            stream_domain: 0 for the plan; the burn-in runs its pre-plan model in domain 1 (its own luck).
            **overrides: ``{"dotted.path": value}`` (``__`` also separates, for keyword use).
        """
        super().__init__(rng=rng)
        keys = {k.replace("__", "."): v for k, v in overrides.items()}
        loaded = load_scenario(scenario, keys)
        self.scale = loaded.enterprises.scale  # share of the region simulated (sim/scale.py)
        self.s = apply_scale(loaded)
        self.seed = rng
        self.streams = Streams(rng, domain=stream_domain)
        self.reporting = stream_domain == 0  # the burn-in's pre-plan model keeps no monthly tables
        self.fixed = self.s.fixed.enabled
        self.start = self.s.start_month
        self._calendar: tuple[int, YearMonth | None, str] = (-(10**9), None, "")  # (month, its YearMonth, label)
        self._factor: tuple[int, float] = (-(10**9), 0.0)  # (model year, its systematic factor draw)
        self.month = 0
        self.horizon = self.s.horizon_months
        self.lpr_path = rate_path(self.s.macro.lpr_path, self.start, self.horizon + 600)
        self.lpr = float(self.lpr_path[0])
        self.products = compile_products(self.s)
        self.funnel = ProductFunnel(self.products)
        self.banks = [Bank(self, p, i) for i, p in enumerate(self.s.banks)]
        self.guarantors = [Guarantor(self, p, i) for i, p in enumerate(self.s.guarantors)]
        self.insurers = [Insurer(self, p, i) for i, p in enumerate(self.s.insurers)]
        self.government = Government(self, self.s.government, len(self.banks), self.s.start)
        self.ventures = [VentureFund(self, p, i, self.s.start) for i, p in enumerate(self.s.vc_funds)]
        self.ledger = Ledger(
            [b.account for b in self.banks],
            [p.account for p in self.government.pools],
            [g.account for g in self.guarantors],
            [i.account for i in self.insurers],
            self.government.account,
            [v.account for v in self.ventures],
        )
        self.exposure = {j: np.zeros(0) for j in (POOL, GUAR, REGUAR, INS, VC)}
        self.conservation_error_wan = 0.0
        self.recorder = MonthlyRecorder(self)
        self.shock, self.deferral = None, None
        self.start_scale = 1.0  # money scale applied after the burn-in (1: none)
        self.pop = Enterprises(self.s.enterprises, self.streams, capacity=self.capacity())
        self.book = LoanBook(capacity=max(1024, 2 * self.pop.p.initial_count))
        if self.fixed or self.s.burn_in_months == 0 or stream_domain != 0:
            population.populate(self)
        else:
            burnin.start_in_steady_state(self)
        self.market = market.Market(
            self.pop,
            self.products,
            self.book,
            self.banks,
            self.guarantors,
            self.insurers,
            self.government,
            self.streams,
            self.s.platforms,
            self.exposure,
            self.book_capacity,
            self.register_new_loans,
        )
        self.market.inst = Instruments(self.s, self.pop, self.products, self.ventures, self.streams)
        self.market.observer = self.funnel.observe
        self.government.balance_last_december = np.array([b.balance_wan for b in self.banks])
        self.datacollector = make_datacollector()
        self.recorder.close_month()
        self.datacollector.collect(self)
        release_agent_ids(self)

    # ---- set-up -------------------------------------------------------------------------------------------
    def capacity(self, firms: int | None = None) -> int:
        """Slots for ``firms`` firms at the start (default: the initial count) and the horizon's entrants with
        20% to spare, so the population's arrays are not reallocated during the run."""
        p = self.s.enterprises
        start = p.initial_count if firms is None else firms
        return int(start + 1.2 * p.entry_per_month * self.horizon + 64)

    def update_institutions(self) -> None:
        """True up balances and exposures from the book; tightening, fees, repricing, suspension, depletion."""
        bookings.update_institutions(self)

    def book_capacity(self, *args: np.ndarray) -> None:
        """Book the capacity a batch of new loans uses (``bookings.book_capacity``)."""
        bookings.book_capacity(self, *args)

    def register_new_loans(self, *args: np.ndarray) -> None:
        """Tell the firms, the funnel and the month's table about the month's new loans
        (``bookings.register_new_loans``)."""
        bookings.register_new_loans(self, *args)

    # ---- the schedule -------------------------------------------------------------------------------------
    PHASES = (
        "update_macro",
        "evolve_firms",
        "repay_maturities",
        "apply_for_credit",
        "screen_applications",
        "pay_interest_and_subsidies",
        "settle_defaults",
        "update_institutions",
        "collect_data",
    )

    def step(self) -> None:
        """One month, the phases in this order (``PHASES``): macro (LPR, shock, deferral window, January resets)
        → firms (entry, revenue, stage, R&D, equity, tech insurance) → maturities (repayment, deferral,
        renewal needs) → new needs → applications, screening and origination → interest, fees, premiums and
        subsidies → defaults and the loss waterfall → institutions (balances, tightening, rewards, repricing,
        suspension, top-ups) → data collection."""
        self.month = self.steps
        for phase in self.PHASES:
            getattr(self, phase)()
        self.running = self.steps < self.horizon

    def repay_maturities(self) -> None:
        """Loans falling due: repaid, or postponed in a deferral window; renewal needs."""
        self.recorder.add(settlement.repay_maturities(self, self.month))

    def pay_interest_and_subsidies(self) -> None:
        """A month of interest, fees and premiums on the open book, and the fund's subsidies."""
        self.recorder.add(settlement.pay_interest_and_subsidies(self))

    def collect_data(self) -> None:
        """Close the month's row and hand it to Mesa's DataCollector (not in the burn-in: nothing reports it)."""
        if not self.reporting:
            return
        self.recorder.close_month()
        self.datacollector.collect(self)

    def update_macro(self) -> None:
        """LPR of the month, the active shock, January resets of budgets, pools and counters."""
        label = self.label
        january = label.endswith("-01") and self.month > 0
        self.recorder.start_month()
        self.government.start_month(january, label)
        for b in self.banks:
            b.start_month(january, self.month)
        for x in (*self.guarantors, *self.insurers):
            x.start_month(self.month)
        for v in self.ventures:
            v.start_month()
        self.market.inst.label = label
        live = self.s.platforms.start is None or label >= self.s.platforms.start
        self.market.platforms = self.s.platforms if live else Platforms()
        self.lpr = float(self.lpr_path[self.month - 1])
        now = self.calendar_month
        self.shock = next(
            (sh for sh in self.s.macro.shocks if 0 <= YearMonth.parse(sh.start).months_until(now) < sh.months), None
        )
        self.deferral = None
        if self.shock is not None and self.shock.deferral:
            last = YearMonth.parse(self.shock.start).plus(self.shock.months - 1)
            sh = self.shock
            self.deferral = (self.month + now.months_until(last), sh.deferral_take_up_share, sh.deferral_spread_months)

    def evolve_firms(self) -> None:
        """Entry, revenue, stage, R&D and patents, VC and listings, tech-insurance setbacks."""
        if self.fixed:
            return
        p, m = self.s.enterprises, self.month
        new = int(self.streams.gen("entry", m).poisson(p.entry_per_month))
        self.pop.add(new, m)
        funded = self.pop.debt_wan[: self.pop.n] > 0
        hit = self.shock.revenue_hit_rate if self.shock else 0.0
        self.pop.evolve(m, hit, funded)
        self.recorder.add({"rd_spending_wan": self.pop.invest(m, p.rd_share_of_loan)})
        g = self.s.government
        vc, listed = self.pop.equity(m, *self.government.multipliers(self.label))
        self.recorder.add(programmes.investment_subsidy(self, vc))
        self.pop.tf_served[vc] = self.pop.tf_served[listed] = True
        reward = self.government.pay("listing_reward", np.full(listed.size, g.subsidies.listing_reward_wan))
        neeq = self.streams.uniform_at("equity", m, listed, "listing venue") < p.listing_neeq_share
        self.recorder.add(
            {
                "vc_rounds": vc.size,
                "vc_investment_wan": vc.size * p.vc_amount_wan,
                "listings_new": listed.size,
                "listings_neeq_new": int(neeq.sum()),
                "direct_finance_wan": listed.size * p.listing_raise_wan,
                "listing_reward_wan": float(reward.sum()),
            }
        )
        self.recorder.add(programmes.bonds(self))
        self.recorder.add(programmes.grants(self))
        programmes.tech_insurance(self)

    def apply_for_credit(self) -> None:
        """New financing needs (renewals were set at maturity)."""
        if not self.fixed:
            self.pop.draw_needs(self.month, self.pop.debt_wan[: self.pop.n] > 0)

    def screen_applications(self) -> None:
        """Applications, screening and origination (fixed mode: every firm without a loan gets one)."""
        if self.fixed:
            return
        hit = self.shock.revenue_hit_rate if self.shock is not None else 0.0
        self.recorder.add(self.market.originate(self.month, self.lpr, self.calendar_month.index, hit))

    def settle_defaults(self) -> None:
        """Draw defaults from each firm's hazard and settle the losses; fixed mode replaces defaulted firms."""
        pop, n, m = self.pop, self.pop.n, self.month
        if self.fixed:  # one PD for every firm; with correlation, conditioned on the year's factor (Vasicek)
            z, rho = self.systematic_factor(), pop.p.default_correlation
            pm = monthly_prob(self.s.fixed.annual_pd) if z is None else vasicek_monthly(self.s.fixed.annual_pd, z, rho)
            defaulted = self.streams.uniform("defaults", m, n) < np.where(pop.alive[:n], pm, 0.0)
        else:
            mult = self.shock.pd_multiplier if self.shock else 1.0
            defaulted = pop.defaults(m, mult, self.systematic_factor(), pop.p.default_correlation)
        self.recorder.add(settlement.settle_defaults(self, m, defaulted))
        slots = np.flatnonzero(defaulted)
        self.recorder.add({"defaults": slots.size})
        if self.fixed:
            pop.alive[slots] = False
            new = pop.add(slots.size, m)
            population.fixed_loans(self, new, m)
        else:
            pop.default(slots, m)

    def systematic_factor(self) -> float | None:
        """This month's systematic default factor Z (None without correlation): one standard-normal draw per
        model year, so defaults cluster by year (Vasicek); a downturn moves it by the shock's ``factor_shift``."""
        if self.s.enterprises.default_correlation <= 0:
            return None
        year = (self.month - 1) // 12
        if self._factor[0] != year:  # drawn once per model year
            self._factor = (year, float(self.streams.gen("factor", year).standard_normal()))
        z = self._factor[1]
        return z - (self.shock.factor_shift if self.shock is not None else 0.0)

    # ---- services the phases use --------------------------------------------------------------------------
    @property
    def calendar_month(self) -> YearMonth:
        """The calendar month of the current step (the month before the start at set-up)."""
        if self._calendar[0] != self.month:  # asked dozens of times a month: computed once per step
            now = self.start.plus(self.month - 1)
            self._calendar = (self.month, now, str(now))
        return self._calendar[1]

    @property
    def label(self) -> str:
        """'YYYY-MM' of the current step."""
        return self._calendar[2] if self._calendar[0] == self.month else str(self.calendar_month)

    # ---- running ------------------------------------------------------------------------------------------
    def run(self, months: int | None = None) -> RunResult:
        """Step ``months`` months (default: the scenario's horizon) and return the result tables."""
        months = self.horizon if months is None else int(months)
        if months < 1:
            raise ValueError(f"months must be at least 1, got {months}")
        for _ in range(months - self.steps):
            self.step()
        return build_result(self)
