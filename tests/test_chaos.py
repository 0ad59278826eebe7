"""Kill a training run three times and restart it: it finishes, its history runs on, its checkpoint loads with finite
weights and no half-written file is left (bench/chaos.py with 3 kills of the lstm at its tiny size; the benchmark does
20 kills of every family)."""
import importlib.util, random
from pathlib import Path
from conftest import ROOT

def _chaos():
    spec = importlib.util.spec_from_file_location('chaos', ROOT/'bench'/'chaos.py')
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    return m

def test_three_kills_of_a_training_run(tmp_path):
    chaos = _chaos()
    fams = chaos.families('tiny', tmp_path)
    config, data, epochs = fams['lstm']
    r = chaos.chaos('lstm', config, data, epochs, kills=3, horizon=20.0, rng=random.Random(1), work=tmp_path, verbose=False)
    assert r['final_status'] == 0, r
    assert r['survived'] == 3 and not r['failures'], r
    assert r['continuous'] and r['loads'] and r['finite'] and not r['temp_left'], r
    assert r['epochs'] >= 1
