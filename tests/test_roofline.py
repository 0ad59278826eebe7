"""bench/train.py, the roofline table of issue 18 (item 1), on two tiny configs: an LSTM (recurrent and dense layers) and a
recurrent VAE on a made-up drum folder. The FLOP counting itself is checked against hand counts in nbs/06_train.ipynb."""
import json, subprocess, sys
from pathlib import Path
from musiclab.drums import _fake_gmd

ROOT = Path(__file__).resolve().parents[1]

def test_train_bench_prints_a_roofline_table(tmp_path):
    gmd = _fake_gmd(tmp_path/'gmd', n=6, bars=10)
    r = subprocess.run([sys.executable, str(ROOT/'bench'/'train.py'), '--configs', 'lstm-tiny', 'groovae-4bar-tiny', '--steps', '2',
                        '--data', f'groovae-4bar-tiny=gmd:{gmd}'], capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    out = r.stdout.splitlines()
    data = json.loads(next(l for l in out if l.startswith('@@json '))[7:])
    rows = {(x['config'], x['part']): x for x in data['rows']}
    assert set(rows) == {('lstm-tiny', 'treble'), ('lstm-tiny', 'bass'), ('groovae-4bar-tiny', 'musicvae')}, rows
    for x in rows.values():
        eff = x['gflops'] / data['matmul_gflops']
        assert x['step_gflop'] > 0 and x['examples_per_s'] > 0 and 0 < eff < 1, x   # over 1 would mean FLOPs counted that were never done
        assert abs(sum(x['forward_share'].values()) - 1) < 0.01 and x['pipeline_share'] >= 0, x
    assert set(rows['lstm-tiny', 'treble']['forward_share']) == {'recurrent', 'dense'}
    assert rows['groovae-4bar-tiny', 'musicvae']['forward_share']['recurrent'] > 0.5   # a recurrent encoder and decoder
    assert any('lstm-tiny' in l and 'treble' in l for l in out) and 'trains at' in out[-1], r.stdout

def test_batch_study_keeps_curves_and_resumes(tmp_path):
    "bench/lstm_batch.py on lstm-tiny: every run's validation curve per clef kept, and a second call repeats no finished run"
    out = tmp_path/'batch.json'
    cmd = [sys.executable, str(ROOT/'bench'/'lstm_batch.py'), '--config', 'lstm-tiny', '--arms', '16:1e-3', '32:2e-3', '--seeds', '0', '--epochs', '2', '--out', str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    res = json.loads(out.read_text())
    assert res['config'] == 'lstm-tiny' and res['epochs'] == 2 and res['commit'] and 'lstm_batch.py' in res['command'], res
    assert sorted((x['batch'], x['lr']) for x in res['runs']) == [(16, 1e-3), (32, 2e-3)]
    for x in res['runs']:
        assert set(x['val_loss']) == {'treble', 'bass'} and all(len(v) == 2 for v in x['val_loss'].values()), x   # early stopping off: every epoch
        assert abs(x['best'] - sum(min(v) for v in x['val_loss'].values())) < 1e-9 and x['seconds'] > 0, x
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert again.returncode == 0 and 'best val loss' not in again.stdout, again.stdout   # nothing trained twice
    assert json.loads(out.read_text())['runs'] == res['runs']
