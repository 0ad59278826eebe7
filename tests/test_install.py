"The package that `pip install .` builds: its modules, its console script and its pinned requirements"
import json, os, subprocess, sys, zipfile
import pytest
from conftest import ROOT

@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp('wheel')
    r = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q', '-w', str(out), str(ROOT)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    (whl,) = out.glob('musiclab-*.whl')
    return zipfile.ZipFile(whl)

def _meta(whl, name):
    (p,) = [n for n in whl.namelist() if n.endswith(f'.dist-info/{name}')]
    return whl.read(p).decode()

def test_wheel_holds_every_exported_module(wheel):
    names = set(wheel.namelist())
    mods = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT/'musiclab').rglob('*.py'))
    assert mods and set(mods) <= names, set(mods) - names
    assert not [n for n in names if n.startswith(('nbs/', 'tests/', 'bench/'))]

SHIPPED = {'lstm-small': ('musiclab.json', 'treble.keras', 'bass.keras'), 'fusion-small': ('musiclab.json', 'treble.keras', 'bass.keras'),
           'groovae-4bar-small': ('musiclab.json', 'musicvae.keras', 'README.md'), 'wavevae-small': ('musiclab.json', 'vae.keras'),
           'specvae-small': ('musiclab.json', 'vae.keras', 'README.md'), 'wavevae-working-small': ('musiclab.json', 'vae.keras'),
           'specvae-working-small': ('musiclab.json', 'vae.keras')}

def test_wheel_ships_the_demo_checkpoints(wheel):
    "`musiclab demo` needs the small checkpoints inside the package, loaded from site-packages; each under 20 MB"
    names = set(wheel.namelist())
    for ck, files in SHIPPED.items():
        for f in files: assert f'musiclab/assets/{ck}/{f}' in names, (ck, f)
        assert sum(wheel.getinfo(f'musiclab/assets/{ck}/{f}').file_size for f in files) < 20 * 2 ** 20, ck
    assert 'musiclab/assets/README.md' in names

def test_wheel_console_script_and_nbdev_index(wheel):
    ep = _meta(wheel, 'entry_points.txt')
    assert 'musiclab = musiclab.cli:program' in ep and 'musiclab = musiclab._modidx:d' in ep

def test_wheel_pins(wheel):
    meta = _meta(wheel, 'METADATA')
    reqs = [l.split(':', 1)[1].strip() for l in meta.splitlines() if l.startswith('Requires-Dist:')]
    for pin in ('tensorflow==2.21.0', 'tf-keras==2.21.0', 'tensorflow-probability==0.25.0'): assert pin in reqs
    assert any(r.startswith('nbdev==2.4.14') and 'extra == "dev"' in r for r in reqs)
    assert 'Requires-Python: >=3.11' in meta

def test_wheel_ships_the_lessons(wheel):
    "`musiclab lessons` copies from inside the package: every lesson, the solutions, and the kept results the lessons read"
    from musiclab.course import LESSONS, SOLUTIONS
    names = set(wheel.namelist())
    for stem in [l.stem for l in LESSONS] + [SOLUTIONS]: assert f'musiclab/lessons/{stem}.ipynb' in names, stem
    for kept in ('bench/latest.json', 'nbs/results/results.json'): assert f'musiclab/lessons/kept/{kept}' in names, kept

def test_lessons_from_a_plain_install(wheel, tmp_path):
    "The installed package, not the checkout: `musiclab lessons course` writes every chapter and the plan, and a second run keeps an edit"
    site = tmp_path/'site'
    wheel.extractall(site)
    env = {**os.environ, 'PYTHONPATH': str(site), 'PYTHONNOUSERSITE': '1'}
    def musiclab(*args):
        code = 'import sys, musiclab; from musiclab.cli import main; print("FROM", musiclab.__file__); sys.exit(main(sys.argv[1:]))'
        return subprocess.run([sys.executable, '-c', code, *args], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    r = musiclab('lessons', 'course')
    assert r.returncode == 0, r.stdout + r.stderr
    assert f'FROM {site}' in r.stdout, r.stdout   # the unpacked wheel, which knows no checkout
    from musiclab.course import LESSONS
    course = tmp_path/'course'
    assert sorted(p.stem for p in course.glob('*.ipynb')) == sorted(l.stem for l in LESSONS)
    plan = json.loads((course/'05_course.ipynb').read_text())
    assert ''.join(plan['cells'][0]['source']).startswith('# The course')
    lstm = course/'10_lstm.ipynb'
    lstm.write_text(lstm.read_text().replace('# The LSTM note model', '# The LSTM note model, my notes'))
    r = musiclab('lessons', 'course')
    assert r.returncode == 0 and 'kept your edited 10_lstm.ipynb' in r.stderr, r.stdout + r.stderr
    assert '# The LSTM note model, my notes' in lstm.read_text()
    # the course plan reads the timings shipped with the lessons (the plain install has no checkout)
    r = subprocess.run([sys.executable, '-c', 'from musiclab.course import course_plan; print(course_plan())'], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert r.returncode == 0 and '| 9 | MusicVAE and GrooVAE |' in r.stdout and '(goal: under 90 min)' in r.stdout, r.stdout + r.stderr
