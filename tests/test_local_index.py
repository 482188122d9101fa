"""The harness's offline plumbing: applied to the built copy only, and only where it is needed."""

from __future__ import annotations

import shutil
from pathlib import Path

from checker.lessons.local_index import adapt

REPO = Path(__file__).resolve().parent.parent
PACKAGING = REPO / "notebooks" / "projects" / "packaging"
INDEX = "http://172.17.0.1:8741/simple/"
STAND_IN = {"PIP_INDEX_URL": INDEX, "VIRTUAL_ENV": "/opt/venv"}


def _copy(tool: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(PACKAGING / tool, tmp_path / tool))


def test_online_nothing_is_changed(tmp_path: Path):
    for tool in ("uv", "poetry", "pdm", "pipenv"):
        copy = _copy(tool, tmp_path)
        before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
        adapt(copy, {})
        assert before == {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}, tool


def test_uv_lock_is_pointed_at_the_local_index_with_the_same_hashes(tmp_path: Path):
    copy = _copy("uv", tmp_path)
    original = (PACKAGING / "uv" / "uv.lock").read_text()
    adapt(copy, STAND_IN)
    lock = (copy / "uv.lock").read_text()
    assert "pypi.org" not in lock and "files.pythonhosted.org" not in lock
    assert f'registry = "{INDEX}"' in lock
    assert "http://172.17.0.1:8741/packages/numpy-2.1.3-cp311-cp311-manylinux" in lock
    assert lock.count("sha256:") == original.count("sha256:")
    assert (copy / "Dockerfile").read_text() == (PACKAGING / "uv" / "Dockerfile").read_text()


def test_poetry_gets_the_mirror_plugin_and_pdm_its_index_after_the_tool_install(tmp_path: Path):
    poetry = _copy("poetry", tmp_path)
    adapt(poetry, STAND_IN)
    lines = (poetry / "Dockerfile").read_text().splitlines()
    install = next(i for i, line in enumerate(lines) if "poetry==2.5.1" in line)
    assert "poetry-plugin-pypi-mirror==" in lines[install]
    assert lines[install + 1] == f"ENV POETRY_PYPI_MIRROR_URL={INDEX}"
    assert "ENV VIRTUAL_ENV=" in lines
    pdm = _copy("pdm", tmp_path)
    adapt(pdm, STAND_IN)
    text = (pdm / "Dockerfile").read_text()
    assert f"ENV PDM_PYPI_URL={INDEX} PDM_PYPI_VERIFY_SSL=false" in text


def test_the_model_dockerfiles_carry_no_workshop_plumbing():
    for dockerfile in PACKAGING.glob("*/Dockerfile"):
        text = dockerfile.read_text()
        for plumbing in ("MIRROR", "8741", "PDM_PYPI_URL", "ARG POETRY"):
            assert plumbing not in text, f"{dockerfile}: {plumbing}"
