"""`./workshop lab` as a learner uses it: JupyterLab in a real browser runs lesson 3 from the UI.

Why a browser: the README's first command opens the lessons in JupyterLab, and nothing else
checks that what it opens works: that the kernel starts with the checker importable, that
"Run All Cells" runs the lesson, and that the step table a learner reads says what the lesson
says (the install step `cached` after the edit). The server is started as `./workshop lab` does
(`jupyter lab --allow-root` on the notebooks), on a free port with a token, in a temporary copy
of the notebooks so the lesson's saved outputs are never rewritten. Debian's `chromium` is
driven by Playwright (its own browser download is not reachable here); a screenshot of the run
is kept in ``test-artifacts/`` at the repository's root (git-ignored), where it outlives pytest's
tmp folders and CI can upload it, and its path is printed.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LESSON = "03-change-the-code.ipynb"
SCREENSHOT = REPO / "test-artifacts" / "lesson-03.png"
RUN_TIMEOUT_MS = 900_000  # the lesson builds three times on a shared engine

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
)
pytestmark = [
    pytest.mark.docker,
    pytest.mark.skipif(
        not Path(CHROMIUM).is_file(), reason="no chromium (apt-get install -y chromium)"
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_server(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"jupyter lab exited at start:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"jupyter lab did not answer within 90 s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[str]:
    """A JupyterLab server on a copy of the notebooks; yields the lesson's URL with its token."""
    root = tmp_path / "notebooks"
    shutil.copytree(REPO / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    port, token = _free_port(), secrets.token_hex(16)
    log = tmp_path / "jupyter.log"
    env = {**os.environ, "PYTHONPATH": str(REPO), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        f"--port={port}", "--ip=127.0.0.1", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_server(f"{base}/api/status?token={token}", process, log)
        yield f"{base}/lab/tree/{LESSON}?token={token}"
    finally:
        # The server's own session: the kernel it started goes with it.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# Rows of the build table a lesson shows under a caption (the table `Workspace.build` renders).
READ_TABLE = """caption => {
    const table = [...document.querySelectorAll('.jp-OutputArea-output table')]
        .find(t => t.caption && t.caption.textContent.trim() === caption);
    if (!table) return null;
    return [...table.tBodies[0].rows].map(r => [...r.cells].map(c => c.textContent.trim()));
}"""
ALL_DONE = """() => {
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
    const errors = document.querySelectorAll('.jp-OutputArea-output[data-mime-type*="error"]');
    return errors.length > 0 || (prompts.length > 0 &&
        prompts.every(p => /\\[\\d+\\]/.test(p.textContent)));
}"""


def test_run_all_cells_of_lesson_3_in_jupyterlab_shows_the_install_cached(lab: str):
    SCREENSHOT.parent.mkdir(exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(lab)
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            # The kernel must be up before the run is asked for.
            page.wait_for_function("() => /Idle/.test(document.body.innerText)", timeout=120_000)
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            page.wait_for_function(ALL_DONE, timeout=RUN_TIMEOUT_MS, polling=2000)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            print(f"screenshot of the lab: {SCREENSHOT}")
            errors = page.locator('.jp-OutputArea-output[data-mime-type*="error"]')
            assert errors.count() == 0, errors.first.inner_text()
            before = page.evaluate(READ_TABLE, "before the edit")
            after = page.evaluate(READ_TABLE, "after the edit")
        finally:
            browser.close()
    assert before and after, "the lesson's build tables are not on the page"
    outcome = {row[1]: row[2] for row in after}
    install = next(name for name in outcome if name.startswith("RUN pip install"))
    assert outcome[install] == "cached", after
    assert outcome["ADD . /srv"] == "ran", after
    assert SCREENSHOT.stat().st_size > 10_000
