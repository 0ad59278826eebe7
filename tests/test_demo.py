"""The README's first command as a newcomer meets it: `musiclab demo` typed in a fresh working folder, its page opened
in headless Chromium over a local HTTP server, for four kinds of output folder (the default relative one, a nested
relative one, an absolute one, and one whose name has a space).

Each page must play and show everything it offers: every `<audio>`, `<img>` and link answers 200, every audio
element loads its metadata (a duration above zero), every image has a natural width, and the console stays clean.
A screenshot of each page goes under `tests/artifacts/`. The browser check needs Debian's `chromium`
(`apt-get install chromium`, as `.ci/run` does); without it that part skips and says so."""
import functools, http.server, shutil, threading, urllib.parse
from pathlib import Path
import numpy as np, pytest, soundfile
from conftest import ARTIFACTS, run_musiclab

CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
WAVS = ['lstm.wav', 'fusion.wav', *(f'groovae-{i}.wav' for i in range(1, 7)), *(f'melody-{i}.wav' for i in range(1, 7)), 'wavevae.wav', 'specvae.wav']

# name -> (the --out a user types, or None for the default; the folder the page lands in, relative to the working folder).
# The default is the whole demo; the other three paths run a score, a drum and a spectrogram model (every kind of file a page links).
CASES = {'default': (None, 'musiclab-demo'), 'nested': ('a/b', 'a/b'), 'absolute': ('ABS', 'abs out'), 'space': ('my demo', 'my demo')}
SOME = ('lstm', 'musicvae', 'specvae')

def wavs(case): return [w for w in WAVS if case == 'default' or w.split('.')[0].split('-')[0] in ('lstm', 'groovae', 'specvae')]

@pytest.fixture(scope='module', params=list(CASES))
def demo(request, tmp_path_factory):
    "Run `musiclab demo` in a fresh working folder; returns (case, the served root, the page's folder, the run)"
    case, (out, folder) = request.param, CASES[request.param]
    root = tmp_path_factory.mktemp(f'demo-{case}')
    work = root/'work'; work.mkdir()
    args = ['demo'] if out is None else ['demo', '--out', str(root/folder) if out == 'ABS' else out, '--models', ','.join(SOME)]
    r = run_musiclab(*args, cwd=work, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    page_dir = root/folder if out == 'ABS' else work/folder
    assert (page_dir/'index.html').exists(), sorted(str(p.relative_to(root)) for p in root.rglob('*'))
    return case, root, page_dir, r

def test_every_shipped_model_writes_something_audible(demo):
    "Something new from each shipped checkpoint, on one page, every sound over a second long and not silent"
    case, root, page_dir, r = demo
    for m, n in (('lstm', 1), ('fusion', 1), ('musicvae', 6), ('melody', 6), ('wavevae', 1), ('specvae', 1)):
        assert (f'{m}: {n} item' in r.stdout) == (case == 'default' or m in SOME), r.stdout
    page = (page_dir/'index.html').read_text()
    for w in wavs(case):
        assert f'src="{w}"' in page, w   # linked from the page itself, not through the folder's own name
        x, sr = soundfile.read(page_dir/w)
        assert sr > 0 and len(x) > sr and np.abs(x).max() > 0.1, w
    for f in ('lstm', 'fusion', 'melody-1', 'melody-4') if case == 'default' else ('lstm',):
        assert (page_dir/f'{f}.musicxml').stat().st_size > 1000 and (page_dir/f'{f}.svg').read_text().lstrip().startswith(('<svg', '<?xml'))
    assert 'demo written in' in r.stdout and str(page_dir.name) in r.stdout

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

def test_the_page_plays_and_shows_everything_in_a_browser(demo):
    case, root, page_dir, _ = demo
    if not Path(CHROMIUM).exists(): pytest.skip(f'Chromium is not installed ({CHROMIUM} not found): apt-get install chromium')
    from playwright.sync_api import sync_playwright
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_QuietHandler, directory=str(root)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f'http://127.0.0.1:{srv.server_port}'
    url = f"{base}/{urllib.parse.quote(page_dir.relative_to(root).as_posix())}/index.html"
    errors, statuses, wanted = [], {}, []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
                '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'])
            try:
                ctx = browser.new_context(viewport={'width': 1280, 'height': 1600})
                ctx.route('**/*', lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
                page = ctx.new_page()
                page.on('console', lambda m: errors.append(f'console: {m.text}') if m.type == 'error' else None)
                page.on('pageerror', lambda e: errors.append(f'page error: {e}'))
                page.on('response', lambda resp: statuses.__setitem__(resp.url, resp.status))
                page.goto(url, wait_until='load')
                assert page.title() == 'musiclab demo'
                audio = page.locator('audio')
                assert audio.count() == len(wavs(case))
                # every player has read its file's header: it knows how long the sound is
                page.wait_for_function('() => [...document.querySelectorAll("audio")].every(a => a.readyState >= 1 || a.error)', timeout=30000)
                players = page.evaluate('() => [...document.querySelectorAll("audio")].map(a => [a.currentSrc, a.readyState, a.duration, a.error && a.error.code])')
                bad = [p for p in players if p[1] < 1 or not p[2] > 0 or p[3]]
                assert not bad, f'players that cannot play: {bad}'
                imgs = page.evaluate('() => [...document.images].map(i => [i.currentSrc, i.complete, i.naturalWidth])')
                assert len(imgs) >= 4 and all(i[1] and i[2] > 0 for i in imgs), f'images that do not show: {[i for i in imgs if not (i[1] and i[2] > 0)]}'
                links = page.evaluate('() => [...document.querySelectorAll("a[href]")].map(a => a.href)')
                assert len(links) >= len(wavs(case))
                wanted = sorted({*(p[0] for p in players), *(i[0] for i in imgs), *links})
                for u in wanted:   # every file the page names, asked for again the way a click would
                    if statuses.get(u) not in (200, 206, 304): statuses[u] = ctx.request.get(u).status
                page.screenshot(path=str(ARTIFACTS/f'demo-{case}.png'), full_page=True)
            finally:
                browser.close()
    finally:
        srv.shutdown(); srv.server_close()
    missing = sorted(u for u in wanted if statuses.get(u) not in (200, 206, 304))
    assert not missing, f'files the page names but the server did not give: {missing}'
    assert not errors, errors
    assert (ARTIFACTS/f'demo-{case}.png').stat().st_size > 20_000
