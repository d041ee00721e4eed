"""The month's offers, compiled: every (applicant, channel) application priced, screened and ranked in one pass.

``Pricing.quote`` gathers each party's terms for the month (``Bank.terms``, ``Guarantor.terms``,
``Insurer.terms``), the draw key and noise of each institution's view of the applicants, and the firm-side
columns; ``offers`` then runs, firm by firm, the agents' own rules as scalar compiled functions — each view's
PD of the firm (``agents.firm_credit.pd_through``, the screening error a counter-based normal of the view's key
and the firm's slot), the bank's rate, margin and lending limit (``agents.bank``), the firm's demand
(``agents.firm_credit.asked``), the guarantor's, insurer's and venture fund's screens — and adds the firm to the
product funnel (``sim.kernels.funnel_add``: one increment per product, the firm's pattern of funnel steps).
Nothing of size (channels × firms) is allocated: the outputs are buffers kept from month to month, and each firm's
views and funnel pattern are a few numbers.

The arithmetic follows the rules term by term in the same order as the numpy rules they replaced; compiled
``exp`` and ``pow`` can differ from numpy's vectorised ones in the last bit, so results are equal to rounding.
"""

from __future__ import annotations

import numpy as np
from numba import njit

import agents.bank
import agents.firm_credit
import agents.guarantor
import agents.insurer
import sim.kernels.draws
import sim.kernels.market
import sim.products
from agents.bank import limit_wan, margin_ok, quoted_rate
from agents.firm_credit import asked, pd_through
from agents.guarantor import takes
from agents.insurer import underwrites
from sim.kernels.cache import refresh_when_changed
from sim.kernels.draws import ziggurat_one
from sim.kernels.market import ACCEPTED, CHEAPEST, ELIGIBLE, OPEN, WORTH, funnel_add, funnel_counts
from sim.products import eligible_for, firm_bits, requirement_bits

DEPENDS = (sim.products, sim.kernels.draws, sim.kernels.market)  # besides the agents' modules


@njit(cache=True, nogil=True)
def rank_banks(price, order, i):
    """``order[i]``: the indices of ``price[i]`` in ascending order, the first on a tie (``np.argsort(kind=
    "stable")``; a bank's place is the number of banks cheaper than it or as cheap and before it: no branches, for
    a firm's few banks). Returns whether any price is finite."""
    nb = price.shape[1]
    for b in range(nb):
        v, place = price[i, b], 0
        for c in range(nb):
            w = price[i, c]
            place += (w < v) | ((w == v) & (c < b))
        order[i, place] = b
    return nb > 0 and price[i, order[i, 0]] < np.inf


@njit(cache=True, nogil=True, error_model="numpy")
def offers(
    slots,
    open_ch,
    firm_class,
    holds,
    rules,
    stage_ok,
    elig,
    ch_bank,
    ch_prod,
    bank_terms,
    view_keys,
    view_scale,
    firm_pd,
    pd_elasticity,
    ch_views,
    ch_terms,
    ch_subs,
    first_loan,
    firm_terms,
    pledge,
    ch_pledge,
    ch_parties,
    guar_terms,
    ins_terms,
    fund_ok,
    demand_terms,
    lpr,
    partial_penalty,
    not_in_window,
    out,
    worth,
    bank_price,
    order,
    any_worth,
    funnel,
    beaten,
):
    """Price, screen and rank every application of the month; count the funnel.

    Args (``k`` applicants, ``nc`` channels, ``nb`` banks, ``nv`` views, ``P`` products):
        slots: (k,) the applicants' firm slots (their draws). open_ch: (nc,) the channel can be written this
            month; a closed channel's offer is inert.
        firm_class, holds, rules, stage_ok: what decides eligibility (``sim.products.eligible_for``): (5, k)
            each applicant's stage, place in the database, high-tech status, patents and VC backing; (k, kinds)
            the pledgeable assets it holds; the products' requirements (``ProductTable.rules``, ``stage_ok``).
        ch_bank, ch_prod: (nc,) the channel's bank and product. bank_terms: (nb, 6) ``Bank.terms``.
        view_keys, view_scale: (nv,) each institution's view: the 64-bit key of its screening noise this month
            and the noise's standard deviation. firm_pd: (5, k) true quality θ, stage PD, debt-service, distress
            and VC factors (``Enterprises.pd_factors``); pd_elasticity: ε.
        ch_views: (nc, 3) the view its bank, guarantor and insurer see (-1: none).
        ch_terms: (nc, 8) LGD, retained share, retained share under the lending limit, rate cap (inf: none),
            bank reward (annual), largest loan (万元), room left for one loan (万元), guarantor share.
        ch_subs: (nc, 8) interest subsidy share when not ``first_loan`` and when, guarantee fee, its subsidy
            share, premium, its subsidy share, other costs (annual), 0.
        first_loan: (k,) the firm's flag that selects the interest subsidy share.
        firm_terms: (6, k) collateral, monthly revenue, assets, need (万元), investment return, rate discount.
        pledge: (pledges, k) collateral a pledged asset adds; ``ch_pledge`` (nc,) its row (-1: none).
        ch_parties: (nc, 3) the channel's guarantor, insurer and venture fund's row in ``fund_ok`` (-1: none).
        guar_terms, ins_terms: (guarantors, 4) ``Guarantor.terms``, (insurers, 2) ``Insurer.terms``, each at
            least one row (zeros when there is none).
        fund_ok: (rows, k) a venture fund covers the firm.
        demand_terms: (3,) demand elasticity, smallest and largest loan (万元).
        lpr: the month's LPR (annual). partial_penalty: ranking penalty of an offer below the firm's ask.
        not_in_window: (P,) no channel of the product is within its availability window this month.

    Fills (every element):
        elig: (k, nc) the firm is eligible for the channel's product.
        out: (5, k, nc) rate (annual, after the red list's discount), all-in cost net of subsidies (annual),
            amount asked, amount offered (万元), and the ranking price of an accepted offer that fits (inf:
            none). An ineligible offer or a closed channel's is inert: 0, never accepted.
        worth: (k, nc) eligible, open and the cost below the investment's return.
        bank_price: (k, nb) the firm's posted price at each bank: its cheapest offer worth it there (inf: none).
        order: (k, nb) the banks by posted price, cheapest first (a stable sort: the first bank on a tie).
        any_worth: (k,) some offer is worth it to the firm.
    Adds the applicants to ``funnel`` (6, P) and ``beaten`` (P, P) (``sim.kernels.funnel_add``, then
    ``funnel_counts``): per product, whether each was eligible for any channel, eligible for an open one, worth
    it, accepted, and its cheapest accepted offer (the first channel in order on a tie).
    """
    k, nc = elig.shape
    stage, in_db, high_tech, patents, vc_backed = (
        firm_class[0],
        firm_class[1],
        firm_class[2],
        firm_class[3],
        firm_class[4],
    )
    nv = view_keys.size
    eta, small, large = demand_terms[0], demand_terms[1], demand_terms[2]
    rate, cost, want, amount, written = out[0], out[1], out[2], out[3], out[4]
    pd_view = np.empty(max(nv, 1))
    n_prod = not_in_window.size
    pattern = np.zeros(n_prod, dtype=np.int64)  # the firm's funnel bits per product (``funnel_add``)
    hist = np.zeros((n_prod, CHEAPEST + 1), dtype=np.int64)
    required = np.array([requirement_bits(rules, q) for q in range(n_prod)])
    elig_p = np.zeros(n_prod, dtype=np.bool_)
    for i in range(k):
        theta, stage_pd, debt, distress, vc = firm_pd[0, i], firm_pd[1, i], firm_pd[2, i], firm_pd[3, i], firm_pd[4, i]
        for v in range(nv):
            seen = theta + view_scale[v] * ziggurat_one(slots[i], view_keys[v])
            pd_view[v] = pd_through(stage_pd, debt, distress, vc, pd_elasticity, seen)
        collateral0, revenue, assets = firm_terms[0, i], firm_terms[1, i], firm_terms[2, i]
        need, ret, discount = firm_terms[3, i], firm_terms[4, i], firm_terms[5, i]
        bank_price[i, :] = np.inf
        has = firm_bits(in_db[i], high_tech[i], patents[i], vc_backed[i], holds[i])
        for q in range(n_prod):
            elig_p[q] = eligible_for(stage_ok, q, required[q], stage[i], has)
        pattern[:] = 0
        best, best_ch = np.inf, -1
        for c in range(nc):
            rate[i, c] = cost[i, c] = want[i, c] = amount[i, c] = 0.0
            written[i, c] = np.inf
            worth[i, c] = False
            p = ch_prod[c]
            e = elig_p[p]
            elig[i, c] = e
            if not e:
                continue
            pattern[p] |= ELIGIBLE
            if not open_ch[c]:  # nothing reads such an offer: not worth it, never written
                continue
            pattern[p] |= OPEN
            b = ch_bank[c]
            lgd, kept, kept_limit, cap = ch_terms[c, 0], ch_terms[c, 1], ch_terms[c, 2], ch_terms[c, 3]
            reward, max_loan, room, g_share = ch_terms[c, 4], ch_terms[c, 5], ch_terms[c, 6], ch_terms[c, 7]
            pd_hat = pd_view[ch_views[c, 0]]
            r = quoted_rate(pd_hat, lgd, kept, lpr, cap, bank_terms[b, 0], bank_terms[b, 1])
            accept = margin_ok(r, pd_hat, lgd, kept, reward, bank_terms[b, 2], bank_terms[b, 3], bank_terms[b, 4])
            pl = ch_pledge[c]
            collateral = collateral0 + pledge[pl, i] if pl >= 0 else collateral0
            limit = limit_wan(kept_limit, collateral, revenue, bank_terms[b, 5])
            r = r - discount  # the red list's 利率优惠: acceptance above was on the full rate
            int_sub = ch_subs[c, 1] if first_loan[i] else ch_subs[c, 0]
            x = r * (1 - int_sub) + ch_subs[c, 2] * (1 - ch_subs[c, 3]) + ch_subs[c, 4] * (1 - ch_subs[c, 5])
            x = x + ch_subs[c, 6]
            w = asked(need, ret, x, eta, small, large)
            a = min(min(w, max_loan), limit)
            accept = accept and a >= small - 1e-9
            g, ins, fu = ch_parties[c, 0], ch_parties[c, 1], ch_parties[c, 2]
            if accept and g >= 0:
                pd_g, gt = pd_view[ch_views[c, 1]], guar_terms
                accept = takes(pd_g, assets, a * g_share, gt[g, 0], gt[g, 1], gt[g, 2] > 0, gt[g, 3] > 0)
            if accept and ins >= 0:
                accept = underwrites(pd_view[ch_views[c, 2]], ins_terms[ins, 0], ins_terms[ins, 1] > 0)
            if accept and fu >= 0:
                accept = fund_ok[fu, i]
            rate[i, c], cost[i, c], want[i, c], amount[i, c] = r, x, w, a
            ok = w > 0
            worth[i, c] = ok
            if ok:
                pattern[p] |= WORTH
            posted = (x if ok else np.inf) + (1.0 if a < w - 1e-9 else 0.0) * partial_penalty
            if posted < bank_price[i, b]:
                bank_price[i, b] = posted
            if accept and a <= room + 1e-9:
                written[i, c] = posted
                pattern[p] |= ACCEPTED
                if posted < best:
                    best, best_ch = posted, c
        funnel_add(hist, beaten, pattern, best_ch, ch_prod)
        any_worth[i] = rank_banks(bank_price, order, i)
    funnel_counts(hist, not_in_window, funnel)


# The kernel inlines rules from other modules (the agents', the products', the draws, the funnel's count): numba's
# cache would not notice when one of them changes, so it is emptied when their sources do.
refresh_when_changed(offers, *(agents.bank, agents.firm_credit, agents.guarantor, agents.insurer), *DEPENDS)
