"""The evidence the model must reproduce, as declared checks (``checks.py``), and the runner behind
``techfin evidence`` (``run.py``).

``CHECKS`` lists one check per line of ``../shared/design/EVIDENCE.md`` plus the analytic checks of the fixed
mode; ``run_check(check, seeds, size)`` measures one in this process; ``run_evidence`` writes an evidence folder.
"""

from experiments.evidence.checks import BY_ID, CHECKS, Check
from experiments.evidence.measures import region
from experiments.evidence.run import Outcome, run_check, run_evidence

__all__ = ["BY_ID", "CHECKS", "Check", "Outcome", "region", "run_check", "run_evidence"]
