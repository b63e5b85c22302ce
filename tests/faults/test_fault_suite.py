"""The fault matrix as pytest tests: one test per kind and fault (see ``cells.py``).

``benchmarks/fault_suite.py`` runs the same cells outside pytest and prints
them as a table.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest

from simulators import Simulator

from ..helpers import KINDS
from ..processes import run_module
from .cells import CELLS, FAULTS


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("sim", KINDS, indirect=True)
async def test_fault(hass: HomeAssistant, sim: Simulator, fault: str) -> None:
    """The integration meets ``fault`` of ``sim``'s upstream as the cell expects."""
    note = await CELLS[fault](hass, sim)
    assert note


def test_fault_suite_benchmark_prints_the_table() -> None:
    """`python -m benchmarks.fault_suite` runs a cell outside pytest; totals come last."""
    faults = ("--fault", "malformed", "--fault", "auth_revoked")
    result = run_module("benchmarks.fault_suite", "--kind", "jackett", *faults)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("Fault suite: 1 kinds x 2 faults")
    assert lines[1].split() == ["kind", "malformed", "auth_revoked"]
    assert lines[2].split() == ["jackett", "ok", "ok"]
    assert lines[-1] == "2 passed, 0 failed"
