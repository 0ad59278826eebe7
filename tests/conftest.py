"Shared helpers for musiclab's tests: the checkout's root, and the installed `musiclab` command"
import shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT/'tests'/'artifacts'

def musiclab_exe() -> str:
    "The `musiclab` console script of the environment running the tests"
    exe = Path(sys.executable).parent/'musiclab'
    if exe.exists(): return str(exe)
    found = shutil.which('musiclab')
    if not found: pytest.fail('the `musiclab` command is not installed: pip install -e ".[dev]"')
    return found

def run_musiclab(*args, timeout=120, **kw) -> subprocess.CompletedProcess:
    "Run the installed `musiclab` command with `args`, capturing its output as text"
    return subprocess.run([musiclab_exe(), *args], capture_output=True, text=True, timeout=timeout, **kw)

def pytest_addoption(parser):
    parser.addoption('--slow', action='store_true', help="also run the tests marked slow (as `nbdev_test --flags slow` runs a notebook's `#| slow` cells)")

def pytest_configure(config):
    config.addinivalue_line('markers', 'slow: a long test whose ground a faster one covers too; skipped unless pytest is given --slow')

def pytest_collection_modifyitems(config, items):
    if config.getoption('--slow'): return
    skip = pytest.mark.skip(reason='slow: run it with `pytest --slow` (the README command keeps CI inside its time)')
    for item in items:
        if 'slow' in item.keywords: item.add_marker(skip)
