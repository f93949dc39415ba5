"""The analyst notebooks: committed as generated (no outputs) and executable on fresh data.

Each notebook runs in a `python3` kernel of this virtualenv (nbclient) against a small warehouse
built by the real pipeline from generated data; a cell that raises fails the test.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
from pathlib import Path

import nbclient
import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOKS / "make_notebooks.py")
make_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_notebooks)
NAMES = list(make_notebooks.NOTEBOOKS)


def test_the_four_notebooks_are_named_by_order_and_purpose():
    assert NAMES == ["01-tour-of-the-data.ipynb", "02-explore-a-domain.ipynb",
                     "03-needs-index-sensitivity.ipynb", "04-regression-models.ipynb"]
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_is_the_generated_one_without_outputs(name):
    text = (NOTEBOOKS / name).read_text(encoding="utf-8")
    assert text == make_notebooks.render(name), "run `python notebooks/make_notebooks.py`"
    for cell in json.loads(text)["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_python3_kernel_is_this_virtualenv():
    """A globally registered `python3` kernelspec would run the notebooks elsewhere.

    ipykernel installs its spec under the venv with argv[0] = "python", which jupyter_client
    replaces with the running interpreter (this venv's).
    """
    ks = KernelSpecManager().get_kernel_spec("python3")
    in_venv = Path(ks.resource_dir).resolve().is_relative_to(Path(sys.prefix).resolve())
    assert in_venv or ks.argv[0] == sys.executable, (ks.resource_dir, ks.argv)
    assert ks.argv[0] in ("python", "python3", sys.executable), ks.argv


@pytest.fixture(scope="module")
def executed(small_warehouse) -> dict[str, tuple[nbformat.NotebookNode, BaseException | None]]:
    """All notebooks, run concurrently (one kernel each) to keep the suite short."""

    async def run(name: str) -> tuple[nbformat.NotebookNode, BaseException | None]:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120,
                                         resources={"metadata": {"path": str(NOTEBOOKS)}})
        try:
            await client.async_execute()
        except Exception as exc:  # CellExecutionError (a cell raised), timeouts, dead kernel
            return nb, exc
        return nb, None

    async def run_all() -> list[tuple[nbformat.NotebookNode, BaseException | None]]:
        return await asyncio.gather(*(run(n) for n in NAMES))

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PA_WAREHOUSE", str(small_warehouse))  # inherited by the kernels
        return dict(zip(NAMES, asyncio.run(run_all()), strict=True))


@pytest.mark.parametrize("name", NAMES)
def test_notebook_executes_on_a_generated_warehouse(name, executed, small_warehouse):
    nb, error = executed[name]
    if error is not None:
        pytest.fail(f"{name}: {error}", pytrace=False)
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert '"output_type": "error"' not in outputs
    assert "'source': 'warehouse'" in outputs  # read the file, not a stale snapshot
    assert "image/png" in outputs  # the charts were drawn
    pii = [v for v in (small_warehouse.parent / "pii.txt").read_text().splitlines()
           if len(v) >= 6]
    assert pii and [v for v in pii if v in outputs] == []
    if name.startswith("02"):
        # the cells that assert the report's numbers were recomputed did run
        assert "recomputed" in outputs and "villages equal: 6" in outputs
