"""Compiled (numba) loops for the rules that touch every firm every month, the counter-based draws and the
month's matching (``firms``, ``defaults``, ``book``, ``draws``, ``market``; the offers themselves, which run the
agents' own rules, are ``sim.offers``).

Each rule here was a chain of numpy operations over the whole population, each making a temporary array; a
fused loop reads each firm's fields once and writes the results in place, which is what brings the full rule
set near the cost of the draws themselves (``benchmarks/bench_model.py``). A loop draws its random numbers
inline, counter-based, for the slots that need one (``draws``; the scheme of ``sim.streams``); the arithmetic
follows the numpy expressions it replaces term by term, in the same order.

The loops are compiled once per machine and Python version and cached next to this file (``cache=True``); the
first run after an install spends a few seconds compiling. Agents call them through their own methods
(``Enterprises.evolve``, ``defaults``, ``draw_needs``, ``invest``), which keep the rules' documentation.
Setting ``NUMBA_DISABLE_JIT=1`` runs the same loops as plain Python (slow; for debugging).
"""

from sim.kernels.book import accrue, balances_by_kind, net_cost, register_borrowers
from sim.kernels.defaults import default_prob, defaults
from sim.kernels.draws import normal_at, uniform_at, uniform_one, uniforms, ziggurat_one
from sim.kernels.firms import (
    bond_issuers,
    census,
    draw_needs,
    enter,
    equity,
    evolve,
    invest,
    log_growth,
    monthly,
    tech_insurance,
)
from sim.kernels.market import batch, best_at_bank, capacity, funnel_add, funnel_counts, within_room

__all__ = [
    "accrue",
    "balances_by_kind",
    "batch",
    "best_at_bank",
    "bond_issuers",
    "capacity",
    "census",
    "default_prob",
    "defaults",
    "draw_needs",
    "enter",
    "equity",
    "evolve",
    "funnel_add",
    "funnel_counts",
    "invest",
    "log_growth",
    "monthly",
    "net_cost",
    "normal_at",
    "register_borrowers",
    "tech_insurance",
    "uniform_at",
    "uniform_one",
    "uniforms",
    "within_room",
    "ziggurat_one",
]
