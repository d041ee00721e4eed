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


def test_each_scenario_lists_its_instruments_and_targets_by_the_names_that_override_them():
    import re

    from sim.scenario import bundled_names, load_scenario
    from sim.scenario_docs import scenario_contents

    for name in bundled_names():
        s = load_scenario(name)
        text = scenario_contents(name)
        paths = re.findall(r"`((?:products|banks|guarantors|insurers|government\.pools|targets)\.[\w.-]+)`", text)
        listed = {p.rsplit(".", 1)[0] if p.startswith("targets") else p for p in paths}
        want = {f"products.{p.name}" for p in s.products} | {f"banks.{b.name}" for b in s.banks}
        want |= {f"government.pools.{p.name}" for p in s.government.pools} | {f"insurers.{i.name}" for i in s.insurers}
        want |= {f"guarantors.{g.name}" for g in s.guarantors}
        assert want <= listed, (name, want - listed)
        assert len([p for p in paths if p.startswith("targets.")]) == len(s.targets)
        for t in s.targets:
            assert t.clause in text and (t.out_of_scope is None or t.out_of_scope in text)
        if s.targets:  # the names work as overrides
            assert s.with_overrides({"targets.0.threshold": 1.0}).targets[0].threshold == 1.0
        product = s.products[-1].name
        assert s.with_overrides({f"products.{product}.term_months": 6}).products[-1].term_months == 6
        assert f"{s.enterprises.initial_count:,} firms" in text
