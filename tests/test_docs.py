import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_scenario_readme_is_generated_from_the_current_schema():
    done = subprocess.run([sys.executable, "-m", "sim.docs", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"scenarios/README.md is stale; run `python -m sim.docs --write`\n{done.stdout}"


def test_scenario_readme_documents_every_top_level_field():
    from sim.scenario import Scenario

    text = (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")
    for name in Scenario.model_fields:
        assert f"`{name}" in text, name
