"""Does the course work in a real browser: JupyterLab, headless Chromium, widgets, self-check?

1. JupyterLab starts on 127.0.0.1 (``--allow-root``, a known token) with a temporary
   root holding a copy of course/ and an nbgrader release of assignment a1_rnn.
2. Chromium (Debian's, driven by Playwright) opens a lecture and runs all its cells.
3. It moves a widget slider with the keyboard and sees the figure's image change.
4. It opens the release notebook of a1_rnn, fills in one exercise correctly and one
   wrongly, runs their self-check cells, and sees PASS for one and FAIL with a HINT for the other.
5. It runs lstm_gates of a3_lstm with the gates read in the wrong order and sees, on the
   first screen of the output, the verdict and the HINT, the arrays folded away, the maths
   of the notebook rendered and nothing to scroll sideways.
6. The same mistake through nbgrader (autograde, generate_feedback): the feedback page,
   opened offline, shows the same on its first screen, with its maths as MathML.
7. It runs a lecture's quick check, sees its maths typeset by MathJax, clicks a wrong and
   a right letter, and sees each graded on the spot: Wrong in red, Right in green.

Chromium missing is a failure (CI installs it); only a missing ``playwright`` package skips.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
LECTURE = "01_sequence_data.ipynb"           # the quickest lecture with a slider-driven figure
ASSIGNMENT = "a1_rnn"
GATES_ASSIGNMENT, GATES_MISTAKE = "a3_lstm", "lstm_gates_cs231n_order"   # a seeded mistake of samples/
VIEWPORT = {"width": 1400, "height": 900}
WAIT_MS = 90_000                              # generous: the machine is shared
# the notebook in the current (visible) tab; other open tabs keep their cells in the DOM
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

# what the student types: a right activations_at_2 and an rnn_step_forward with sigmoid for tanh
RIGHT_ACTIVATIONS = (
    "z = np.array([2.0, -2.0])\n"
    "activations_at_2 = np.stack([np.tanh(z), sigmoid(z), np.maximum(z, 0)], axis=1)\n"
    "print(activations_at_2)\n"
)
WRONG_RNN_STEP = (
    "def rnn_step_forward(x, prev_h, Wx, Wh, b):\n"
    "    next_h = sigmoid(x @ Wx + prev_h @ Wh + b)\n"
    "    return next_h, (x, prev_h, Wx, Wh, next_h)\n"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra) -> dict:
    """The environment with this interpreter's bin/ first on PATH (nbgrader runs `alembic` from PATH)."""
    bindir = str(Path(sys.executable).parent)
    return dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""), **extra)


def _build_root(tmp: Path) -> Path:
    """A course folder as a student sees it: lectures, and nbgrader's releases of a1_rnn and a3_lstm."""
    root = tmp / "lab"
    shutil.copytree(ROOT / "course", root / "course", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    build = tmp / "build"
    build.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", build / "nbgrader_config.py")
    for assignment in (ASSIGNMENT, GATES_ASSIGNMENT):
        source = ROOT / "assignments" / assignment
        if not source.exists():
            continue
        shutil.copytree(source, build / "assignments" / assignment)
        done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
                              cwd=build, env=_env(), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"nbgrader generate_assignment failed:\n{done.stdout}\n{done.stderr}"
        shutil.copytree(build / "release" / assignment, root / "release" / assignment)
    return root


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A running JupyterLab: yields (base url, token, root); shut down in the finalizer."""
    tmp = tmp_path_factory.mktemp("browser")
    root = _build_root(tmp)
    settings = tmp / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # render every cell (no virtual scrolling), so cells far down the page exist in the DOM;
    # start the notebook's own kernel without asking (on a loaded machine the kernel specs
    # can arrive after the notebook opens, and Lab then asks which kernel to use)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none", "autoStartDefaultKernel": true}')
    port, token = _free_port(), secrets.token_hex(16)
    env = _env(JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), IPYTHONDIR=str(tmp / "ipython"))
    log = open(tmp / "jupyterlab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--ServerApp.token={token}", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
         f"--LabApp.user_settings_dir={tmp / 'settings'}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
         "--ServerApp.port_retries=0"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, f"JupyterLab exited early; log:\n{(tmp / 'jupyterlab.log').read_text()[-3000:]}"
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "JupyterLab did not answer within 90 s"
            time.sleep(0.5)
        yield base, token, root
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), f"Debian's chromium is expected at {CHROMIUM} (apt-get install chromium)"
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _open(browser, base, token, path):
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(WAIT_MS)
    # If Lab still asks which kernel to use, take the one it proposes (the notebook's python3).
    page.add_locator_handler(page.locator(".jp-Dialog", has_text="Select Kernel"),
                             lambda dialog: dialog.locator(".jp-mod-accept").click())
    # a workspace of its own per page, so no tab of an earlier test is restored
    page.goto(f"{base}/lab/workspaces/{secrets.token_hex(4)}/tree/{path}?token={token}&reset")
    page.wait_for_selector(f"{NOTEBOOK} .jp-Cell")
    # the kernel is up once the status bar names it and says it is idle
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", state="attached")
    return page


@pytest.fixture
def shot(lab, request):
    """shot(page) saves a screenshot next to the JupyterLab log (the tests call it when they fail)."""
    _, _, root = lab

    def save(page):
        path = root.parent / f"{request.node.name}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            print(f"screenshot: {path}; JupyterLab log: {root.parent / 'jupyterlab.log'}")
        except Exception as exc:  # the page may already be gone
            print(f"no screenshot: {exc}")
    return save


def _run_all(page, tries: int = 3) -> None:
    """Run > Run All Cells, until a cell shows it has run or is running ([1]: or [*]:).

    A kernel dialog that Lab raises meanwhile swallows the menu command; the locator
    handler in _open dismisses it, and the next try then goes through.
    """
    started = ("() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputArea-prompt')]"
               ".some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))")
    for _ in range(tries):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()
        try:
            page.wait_for_function(started, timeout=20_000)
            return
        except sync_api.TimeoutError:
            continue
    raise AssertionError(f"Run All did not start any cell in {tries} tries")


def _figure_src(page) -> str | None:
    return page.evaluate("() => { const i = document.querySelector('.widget-output img'); return i ? i.src : null; }")


def test_a_lecture_runs_in_chromium_and_its_slider_redraws_the_figure(lab, browser, shot):
    base, token, _ = lab
    page = _open(browser, base, token, f"course/{LECTURE}")
    try:
        _run_all(page)
        # the last section's figure cell prints the task shapes: everything above it has run
        page.locator(f"{NOTEBOOK} .jp-OutputArea-output", has_text="encoder-decoder output:").wait_for()
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']", has_text="Error")
        assert errors.count() == 0, errors.first.inner_text()
        # the series, its shuffle and the task shapes; the parameter counts are drawn once, by the sliders
        assert page.locator(".jp-RenderedImage img").count() >= 2, "the static figures did not render"

        slider = page.locator(".lecture-slider").first
        slider.wait_for()
        page.wait_for_function("() => { const i = document.querySelector('.widget-output img'); return i && i.src.startsWith('data:image'); }")
        before = _figure_src(page)
        handle = slider.locator(".noUi-handle")
        handle.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(old) => { const i = document.querySelector('.widget-output img'); return i && i.src.startsWith('data:image') && i.src !== old; }",
            arg=before)
        assert _figure_src(page) != before
    except Exception:
        shot(page)
        raise
    finally:
        page.close()


def _cell_index(notebook: Path, *, grade_id: str) -> int:
    nb = nbformat.read(notebook, as_version=4)
    for k, c in enumerate(nb.cells):
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return k
    raise AssertionError(f"{notebook.name} has no cell with grade_id {grade_id!r}")


def _run_cell(page, k: int, tries: int = 3):
    """Select cell k and run it (Shift+Enter); done when its prompt shows a new execution
    count: [ ] or [m] -> [*] -> [n]. A click that lands while the page reflows (MathJax
    typesetting above) can leave the key press with another cell or none: when the prompt
    has not changed after a while, select and press again."""
    cell = page.locator(f"{NOTEBOOK} .jp-Cell").nth(k)
    prompt = cell.locator(".jp-InputPrompt")
    before = prompt.text_content()
    changed = ("([sel, k, before]) => { const p = document.querySelectorAll(sel)[k].querySelector('.jp-InputPrompt');"
               " return p.textContent !== before && /\\[(\\*|\\d+)\\]/.test(p.textContent); }")
    for attempt in range(tries):
        prompt.click()                                # select in command mode
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_function(changed, arg=[f"{NOTEBOOK} .jp-Cell", k, before], timeout=15_000)
            break
        except sync_api.TimeoutError:
            if attempt == tries - 1:
                raise
    page.wait_for_function(
        "([sel, k]) => { const c = document.querySelectorAll(sel)[k];"
        " return /\\[\\d+\\]/.test(c.querySelector('.jp-InputPrompt').textContent); }", arg=[f"{NOTEBOOK} .jp-Cell", k])
    return cell


def _replace_source(page, k: int, text: str):
    cell = page.locator(f"{NOTEBOOK} .jp-Cell").nth(k)
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)
    page.keyboard.press("Escape")                     # back to command mode


def test_a_release_notebook_self_checks_right_and_wrong_answers_in_chromium(lab, browser, shot):
    base, token, root = lab
    notebook = root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert notebook.exists(), f"no release of {ASSIGNMENT}: assignments/{ASSIGNMENT} is missing"
    setup, helpers = _cell_index(notebook, grade_id="setup"), _cell_index(notebook, grade_id="helpers")
    act_solution = _cell_index(notebook, grade_id="activations-at-2-solution")
    act_test = _cell_index(notebook, grade_id="activations_at_2")
    step_solution = _cell_index(notebook, grade_id="rnn-step-forward-solution")
    step_test = _cell_index(notebook, grade_id="rnn_step_forward")

    page = _open(browser, base, token, f"release/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
    try:
        _run_cell(page, setup)
        _run_cell(page, helpers)
        _replace_source(page, act_solution, RIGHT_ACTIVATIONS)
        _run_cell(page, act_solution)
        right = _run_cell(page, act_test).locator(".jp-OutputArea-output").first
        right.wait_for()
        _replace_source(page, step_solution, WRONG_RNN_STEP)
        _run_cell(page, step_solution)
        wrong = _run_cell(page, step_test).locator(".jp-OutputArea-output").first
        wrong.wait_for()

        right_text, wrong_text = right.inner_text(), wrong.inner_text()
        assert right_text.startswith("PASS") and "FAIL" not in right_text, right_text
        assert wrong_text.startswith("FAIL") and "HINT" in wrong_text and "sigmoid" in wrong_text, wrong_text
    except Exception:
        shot(page)
        raise
    finally:
        page.close()


# -- the feedback on a wrong answer, on the first screen ----------------------------------------
# (JupyterLab after Shift+Enter, and nbgrader's feedback page opened offline)

def _gates_submission():
    """The source notebook of a3_lstm with its gates read in the order i, f, o, g."""
    sys.path.insert(0, str(ROOT))
    from samples import load_mistakes, make_submission, source_notebook

    mistake = next(m for m in load_mistakes(GATES_ASSIGNMENT) if m.name == GATES_MISTAKE)
    return make_submission(source_notebook(GATES_ASSIGNMENT), mistake), mistake


def _layout(page, output) -> dict:
    """Where the parts of one feedback block are, in page pixels, and whether it scrolls sideways."""
    return output.evaluate("""(out) => {
        const box = (sel) => { const e = out.querySelector(sel); if (!e) return null;
                               const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; };
        const details = out.querySelector('details');
        const arrays = details ? details.querySelector('pre') : null;
        const wide = [out, ...out.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1
                                                                  && getComputedStyle(e).overflowX !== 'visible');
        return {verdict: box('.autograder-verdict'), hint: box('.autograder-hint'),
                output_top: out.getBoundingClientRect().top, details: !!details,
                folded: details ? !details.open && (arrays.getBoundingClientRect().height === 0
                                                   || !arrays.checkVisibility()) : null,
                arrays_folded: details ? details.textContent.includes('ACTUAL') : null,
                verdict_text: (out.querySelector('.autograder-verdict') || {}).textContent,
                scrolls_sideways: wide.map(e => e.className || e.tagName),
                page_wider_than_window: document.documentElement.scrollWidth > window.innerWidth};
    }""")


def _assert_readable_on_the_first_screen(layout: dict, screen_height: int) -> None:
    assert layout["verdict_text"] == "FAIL", layout
    assert layout["verdict"] and layout["hint"], f"no verdict or no HINT in the output: {layout}"
    # the HINT ends within one screen of the top of the output
    assert layout["hint"]["bottom"] - layout["output_top"] < screen_height, layout
    assert layout["verdict"]["top"] <= layout["hint"]["top"], "the verdict comes before the HINT"
    assert layout["details"] and layout["folded"] and layout["arrays_folded"], f"the arrays are not folded away: {layout}"
    assert not layout["scrolls_sideways"] and not layout["page_wider_than_window"], layout


def test_a_wrong_gate_order_shows_verdict_and_hint_on_the_first_screen_in_jupyterlab(lab, browser, shot):
    base, token, root = lab
    notebook = root / "release" / GATES_ASSIGNMENT / f"{GATES_ASSIGNMENT}.ipynb"
    assert notebook.exists(), f"no release of {GATES_ASSIGNMENT}"
    submission, mistake = _gates_submission()
    wrong_gates = next(c.source for c in submission.cells if c.get("id") == mistake.cell_id)
    setup, helpers = _cell_index(notebook, grade_id="setup"), _cell_index(notebook, grade_id="helpers")
    solution, test = _cell_index(notebook, grade_id=mistake.cell_id), _cell_index(notebook, grade_id="lstm_gates")

    page = _open(browser, base, token, f"release/{GATES_ASSIGNMENT}/{GATES_ASSIGNMENT}.ipynb")
    try:
        _run_cell(page, setup)
        _run_cell(page, helpers)
        _replace_source(page, solution, wrong_gates)
        _run_cell(page, solution)
        output = _run_cell(page, test).locator(".jp-OutputArea-output").first
        output.locator(".autograder-verdict").wait_for()
        output.scroll_into_view_if_needed()
        page.screenshot(path=str(root.parent / "jupyterlab_lstm_gates.png"))
        _assert_readable_on_the_first_screen(_layout(page, output), VIEWPORT["height"])
        assert "order i, f, o, g" in output.inner_text()

        # the notebook's maths is typeset by JupyterLab's MathJax, no raw TeX left
        markdown = page.locator(f"{NOTEBOOK} .jp-MarkdownOutput")
        assert page.locator(f"{NOTEBOOK} .jp-MarkdownOutput mjx-container").count() > 0
        raw = [t for t in markdown.all_inner_texts() if "$" in t]
        assert not raw, raw[:2]
    except Exception:
        shot(page)
        raise
    finally:
        page.close()


@pytest.fixture(scope="module")
def gates_feedback(tmp_path_factory) -> Path:
    """nbgrader's feedback page for a submission of a3_lstm with the gates in the wrong order."""
    from nbgrader_harness import NbgraderCourse

    course = NbgraderCourse.create(tmp_path_factory.mktemp("feedback"), GATES_ASSIGNMENT)
    course.generate_assignment()
    submission, _ = _gates_submission()
    course.submit("gates", submission)
    course.autograde()
    log = course.generate_feedback()
    assert "not recognized" not in log.stdout + log.stderr, "generate_feedback warns about the configuration"
    return course.feedback_path("gates")


def test_the_feedback_page_opened_offline_shows_verdict_hint_and_maths(gates_feedback, browser):
    context = browser.new_context(viewport=VIEWPORT, offline=True)
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    try:
        page.goto(gates_feedback.as_uri())
        page.evaluate("() => document.getElementsByName('lstm_gates')[0].scrollIntoView()")
        output = page.locator(".output_area", has=page.locator(".autograder-feedback")).first
        output.scroll_into_view_if_needed()
        page.screenshot(path=str(gates_feedback.parent / "feedback_lstm_gates.png"))
        _assert_readable_on_the_first_screen(_layout(page, output), VIEWPORT["height"])

        # maths as MathML, no raw TeX in the text of the markdown cells
        assert page.locator(".text_cell_render math").count() > 0
        raw = [t for t in page.locator(".text_cell_render").all_inner_texts() if "$" in t]
        assert not raw, raw[:2]
        # the score says what it is out of
        assert "0 / 4 points" in page.locator(".autograder-score").first.inner_text()
    finally:
        context.close()


QUICK_CHECK_LECTURE = "04_lstm.ipynb"        # maths in its questions, choices and feedback


def _colour(locator) -> tuple[int, ...]:
    """The computed text colour of an element as (r, g, b)."""
    return tuple(int(v) for v in re.findall(r"\d+", locator.evaluate("e => getComputedStyle(e).color"))[:3])


def test_a_quick_check_renders_its_maths_and_grades_a_click_in_chromium(lab, browser, shot):
    base, token, _ = lab
    page = _open(browser, base, token, f"course/{QUICK_CHECK_LECTURE}")
    try:
        cells = page.locator(f"{NOTEBOOK} .jp-Cell")
        previous = lambda cell: cell.locator("xpath=preceding-sibling::div[contains(@class, 'jp-Cell')][1]")
        question = previous(cells.filter(has_text="answer_04_2 = None"))
        # Run All, which retries until the kernel takes it: keyboard navigation from a clicked
        # heading is at the mercy of MathJax reflowing the page between the click and the keys.
        _run_all(page)
        shown = question.locator(".jp-RenderedMarkdown", has_text="Quick check 04_2")
        shown.wait_for()
        # $h_t$ in the question and $g$ in a choice were typeset by MathJax, not left as TeX
        shown.locator("mjx-container").nth(1).wait_for()
        assert "$" not in shown.inner_text(), shown.inner_text()

        letter = lambda text: question.locator(".widget-toggle-button", has_text=re.compile(f"^{text}$"))
        letter("a").click()                                     # the forget gate: wrong
        wrong = question.locator(".quickcheck-verdict[data-verdict='Wrong']")
        wrong.wait_for()
        assert "forget gate scales" in wrong.inner_text() and wrong.locator("mjx-container").count() >= 1
        r, g, b = _colour(wrong.locator("b"))
        assert r > g and r > b, f"Wrong is not red: rgb{(r, g, b)}"

        letter("c").click()                                     # the output gate: right
        right = question.locator(".quickcheck-verdict[data-verdict='Right']")
        right.wait_for()
        r, g, b = _colour(right.locator("b"))
        assert g > r and g > b, f"Right is not green: rgb{(r, g, b)}"
        assert question.locator(".quickcheck-verdict").count() == 1, "the verdict of the earlier click stays"
    except Exception:
        shot(page)
        raise
    finally:
        page.close()
