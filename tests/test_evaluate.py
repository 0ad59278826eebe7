"""`musiclab evaluate`, as the reproduction report runs it but at test size: every model's tiny config trains for real on
its data (the Groove MIDI Dataset replaced by a small fake one), the three sets are measured, the samples are written, a
second run keeps what the first measured, and the report notebook (nbs/30_results.ipynb) runs on the result."""
import json, math, os, subprocess, sys
from pathlib import Path
import numpy as np
import pytest
import soundfile
from conftest import ROOT, run_musiclab

MODELS = ['lstm', 'fusion', 'musicvae', 'wavevae', 'specvae']

@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    from musiclab.drums import _fake_gmd
    root = tmp_path_factory.mktemp('evaluate')
    gmd = _fake_gmd(root/'gmd', n=6, bars=6)
    out = root/'out'
    r = run_musiclab('evaluate', '--all', '--size', 'tiny', '--data', f'musicvae=gmd:{gmd}', '--out', str(out), timeout=900)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    return out, gmd, r.stdout

def test_every_model_trained_and_measured(tiny):
    out, gmd, stdout = tiny
    res = json.loads((out/'results.json').read_text())
    assert list(res['models']) == MODELS and res['size'] == 'tiny'
    assert res['command'] == f'musiclab evaluate --all --size tiny --data musicvae=gmd:{gmd} --out {out}'
    for m, r in res['models'].items():
        assert r['config'].endswith('-tiny') and r['parameters'] > 1000 and r['train_seconds'] > 0, m
        assert all(v is not None and math.isfinite(v) for v in r['val_loss'].values()), (m, r['val_loss'])
        assert {'generated', 'training', 'held-out'} <= set(r['sets']), m
        for s, vals in r['sets'].items():
            assert all(v is None or math.isfinite(v) for v in vals.values()), (m, s, vals)
        x, sr = soundfile.read(out/r['sample'])
        assert len(x) > sr // 4 and np.abs(x).max() > 0.01, m      # a real, audible sample
    assert res['models']['lstm']['sets']['training']['in-key rate'] > 0.7          # real pieces, measured
    assert res['models']['wavevae']['sets']['held-out']['spectrum distance to held-out (dB)'] == 0.0
    assert res['models']['musicvae']['reconstruction']['held-out']['windows'] > 0
    assert 'lstm' in stdout and 'overlap with training' in stdout and 'results.json' in stdout.splitlines()[-1]

def test_a_second_run_keeps_what_was_measured(tiny):
    out, gmd, _ = tiny
    before = (out/'results.json').read_text()
    r = run_musiclab('evaluate', '--all', '--size', 'tiny', '--data', f'musicvae=gmd:{gmd}', '--out', str(out), timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.count('measured already, kept') == 5
    assert json.loads((out/'results.json').read_text())['models'] == json.loads(before)['models']

def test_bad_evaluate_arguments(tiny, tmp_path):
    out, _, _ = tiny
    r = run_musiclab('evaluate', '--all', '--out', str(out))          # a tiny run's folder is not mixed with a small one
    assert r.returncode == 2 and "holds a 'tiny' evaluation, not a 'small' one" in r.stderr and 'Traceback' not in r.stderr
    r = run_musiclab('evaluate', '--models', 'musicvae', '--size', 'tiny', '--data', f'musicvae=gmd:{tmp_path}/nowhere', '--out', str(tmp_path/'x'),
                     timeout=300)
    lines = [l for l in r.stderr.splitlines() if l.startswith('musiclab')]
    assert r.returncode == 1 and len(lines) == 1 and 'nowhere' in lines[0], r.stderr[-1500:]
    r = run_musiclab('evaluate', '--models', 'lstm', '--data', 'musicvae', '--out', str(tmp_path/'y'))
    assert r.returncode == 2 and "--data takes MODEL=SPEC, got 'musicvae'" in r.stderr

def test_the_report_notebook_runs_on_a_tiny_result(tiny):
    out, _, _ = tiny
    exe = Path(sys.executable).parent/'nbdev_test'
    r = subprocess.run([str(exe), '--path', 'nbs/30_results.ipynb'], cwd=ROOT, capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, MUSICLAB_RESULTS=str(out)))
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
