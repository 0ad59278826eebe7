"The package that `pip install .` builds: its modules, its console script and its pinned requirements"
import subprocess, sys, zipfile
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
           'specvae-small': ('musiclab.json', 'vae.keras', 'README.md')}

def test_wheel_ships_the_demo_checkpoints(wheel):
    "`musiclab demo` needs the small checkpoints inside the package, loaded from site-packages; each under 20 MB"
    names = set(wheel.namelist())
    for ck, files in SHIPPED.items():
        for f in files: assert f'musiclab/assets/{ck}/{f}' in names, (ck, f)
        assert sum(wheel.getinfo(f'musiclab/assets/{ck}/{f}').file_size for f in files) < 20 * 2 ** 20, ck
    assert 'musiclab/assets/README.md' in names

def test_wheel_console_script_and_nbdev_index(wheel):
    ep = _meta(wheel, 'entry_points.txt')
    assert 'musiclab = musiclab.cli:main' in ep and 'musiclab = musiclab._modidx:d' in ep

def test_wheel_pins(wheel):
    meta = _meta(wheel, 'METADATA')
    reqs = [l.split(':', 1)[1].strip() for l in meta.splitlines() if l.startswith('Requires-Dist:')]
    for pin in ('tensorflow==2.21.0', 'tf-keras==2.21.0', 'tensorflow-probability==0.25.0'): assert pin in reqs
    assert any(r.startswith('nbdev==2.4.14') and 'extra == "dev"' in r for r in reqs)
    assert 'Requires-Python: >=3.11' in meta
