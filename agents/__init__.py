"""Behaviour of the ecosystem's agents: the firm population and the institutions."""

from agents.bank import Bank
from agents.enterprise import Enterprises
from agents.government import Government
from agents.guarantor import Guarantor
from agents.insurer import Insurer
from agents.pool import CompensationPool

__all__ = ["Bank", "CompensationPool", "Enterprises", "Government", "Guarantor", "Insurer"]
