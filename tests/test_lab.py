"""The playback widgets in a real notebook front end (issue 20, item 4).

JupyterLab is started on a lesson folder (`musiclab lessons`), on 127.0.0.1 with a random token and port; headless Chromium
(Debian's, driven by Playwright, as in test_demo.py) opens a notebook there and runs it in a real kernel. The notebook shows
a `Player` of a piece from the shipped LSTM and a `LatentExplorer` on the shipped GrooVAE. The test presses play (the audio
element's `currentTime` advances), moves the explorer's position slider (its sound changes), changes the Player's key and
its tempo (its sound changes each time), and leaves screenshots under tests/artifacts/. Chromium and JupyterLab are
installed by `.ci/run` and `pip install -e ".[dev]"`; without either this test skips and says so."""
import json, os, secrets, shutil, socket, subprocess, sys, time, urllib.error, urllib.request
from pathlib import Path
import pytest
from conftest import ARTIFACTS

CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
CELLS = [
    "from musiclab.core import asset\nfrom musiclab.model import load_checkpoint\nfrom musiclab.widgets import LatentExplorer, Player",
    "lstm = load_checkpoint(asset('lstm-small'))\n[tune] = lstm.sample(1, length=24, seed=3)\nplayer = Player(tune, sheet=False)\nplayer",
    "groove = load_checkpoint(asset('groovae-4bar-small'))\ngrooves = {f'groove {i + 1}': g for i, g in enumerate(groove.sample(2, seed=7, tempo=100))}\n"
    "explorer = LatentExplorer(groove, grooves, steps=5, tempo=100)\nexplorer",
]

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _notebook(cells) -> dict:
    return {'cells': [{'cell_type': 'code', 'id': f'c{i}', 'metadata': {}, 'execution_count': None, 'outputs': [], 'source': s} for i, s in enumerate(cells)],
            'metadata': {'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}}, 'nbformat': 4, 'nbformat_minor': 5}

@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    if not Path(CHROMIUM).exists(): pytest.skip(f'Chromium is not installed ({CHROMIUM} not found): apt-get install chromium')
    pytest.importorskip('jupyterlab', reason='JupyterLab is not installed: pip install -e ".[dev]" (or "musiclab[lab]")')
    from musiclab.course import copy_lessons, lab_command
    folder = tmp_path_factory.mktemp('lab')/'course'
    copy_lessons(folder)
    (folder/'try-widgets.ipynb').write_text(json.dumps(_notebook(CELLS)))
    port, token = _free_port(), secrets.token_hex(16)
    cmd = lab_command(folder, port=port, token=token, browser=False) + ['--LabApp.expose_app_in_browser=True']
    env = {**os.environ, 'JUPYTER_CONFIG_DIR': str(folder.parent/'config'), 'JUPYTER_DATA_DIR': str(folder.parent/'data'),
           'JUPYTER_RUNTIME_DIR': str(folder.parent/'runtime'), 'MPLBACKEND': 'Agg'}
    log = open(folder.parent/'lab.log', 'w')
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f'http://127.0.0.1:{port}'
    try:
        for _ in range(240):
            if proc.poll() is not None: break
            try:
                with urllib.request.urlopen(f'{base}/api/status?token={token}', timeout=2) as r:
                    if r.status == 200: break
            except OSError: time.sleep(0.5)
        else: pytest.fail('JupyterLab did not answer within 2 minutes')
        assert proc.poll() is None, (folder.parent/'lab.log').read_text()[-3000:]
        try:
            urllib.request.urlopen(f'{base}/api/status', timeout=5)
            pytest.fail('JupyterLab answered a request without its token')
        except urllib.error.HTTPError as e: assert e.code == 403, e   # the random token is in force
        yield base, token, folder
    finally:
        proc.terminate()
        try: proc.wait(30)
        except subprocess.TimeoutExpired: proc.kill()
        log.close()

def _audio_src(page, i:int) -> str:
    return page.evaluate(f'() => document.querySelectorAll(".jp-OutputArea audio")[{i}].src')

def test_widgets_play_and_respond_in_jupyterlab(lab):
    base, token, folder = lab
    from playwright.sync_api import sync_playwright
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
                                                                    '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'])
        try:
            ctx = browser.new_context(viewport={'width': 1400, 'height': 1800})
            ctx.route('**/*', lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
            page = ctx.new_page()
            page.on('pageerror', lambda e: errors.append(f'page error: {e}'))
            page.goto(f'{base}/lab/tree/try-widgets.ipynb?token={token}', wait_until='load')
            page.wait_for_function('() => window.jupyterapp && document.querySelector(".jp-Notebook")', timeout=120_000)
            page.wait_for_function('''() => { const w = window.jupyterapp.shell.currentWidget, k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
                                            return k && k.connectionStatus === 'connected' && k.status === 'idle'; }''', timeout=120_000)
            page.evaluate('() => window.jupyterapp.commands.execute("notebook:run-all-cells")')
            # the Player's and the explorer's audio elements, drawn by the widget manager (not the static HTML fallback)
            page.wait_for_function('() => document.querySelectorAll(".jp-OutputArea .widget-vbox audio").length >= 2', timeout=240_000)
            page.wait_for_timeout(500)
            page.screenshot(path=str(ARTIFACTS/'lab-widgets.png'), full_page=True)
            assert page.locator('.jp-OutputArea .widget-dropdown select').count() >= 3   # key, from, to
            assert page.locator('.jp-OutputArea .widget-slider').count() >= 3            # tempo, position, temperature

            # press play: the Player's sound starts and its clock runs
            page.evaluate('() => document.querySelectorAll(".jp-OutputArea audio")[0].play()')
            page.wait_for_function('() => document.querySelectorAll(".jp-OutputArea audio")[0].currentTime > 0.3', timeout=30_000)
            assert page.evaluate('() => document.querySelectorAll(".jp-OutputArea audio")[0].paused') is False

            # change the key: the Player renders the piece again, transposed; then the tempo
            before = _audio_src(page, 0)
            key = page.locator('.jp-OutputArea .widget-dropdown select').nth(0)
            options = key.evaluate('s => [...s.options].map(o => o.value)')
            key.select_option(options[(options.index(key.input_value()) + 2) % len(options)])
            page.wait_for_function(f'() => document.querySelectorAll(".jp-OutputArea audio")[0].src !== {json.dumps(before)}', timeout=60_000)
            after_key = _audio_src(page, 0)
            tempo = page.locator('.jp-OutputArea .widget-slider').nth(0).locator('.noUi-handle')
            tempo.focus(); tempo.press('ArrowRight'); tempo.press('ArrowRight')
            page.wait_for_function(f'() => document.querySelectorAll(".jp-OutputArea audio")[0].src !== {json.dumps(after_key)}', timeout=60_000)
            assert len({before, after_key, _audio_src(page, 0)}) == 3

            # move the explorer's position slider: another point of the interpolation, another sound
            start = _audio_src(page, 1)
            position = page.locator('.jp-OutputArea .widget-slider').nth(1).locator('.noUi-handle')
            position.focus(); [position.press('ArrowRight') for _ in range(2)]
            page.wait_for_function(f'() => document.querySelectorAll(".jp-OutputArea audio")[1].src !== {json.dumps(start)}', timeout=60_000)
            page.wait_for_function('() => document.querySelector(".jp-Notebook").innerText.includes("step 3 of 5")', timeout=60_000)
            page.screenshot(path=str(ARTIFACTS/'lab-widgets-moved.png'), full_page=True)
        finally:
            browser.close()
    assert not errors, errors
    for f in ('lab-widgets.png', 'lab-widgets-moved.png'): assert (ARTIFACTS/f).stat().st_size > 20_000, f
