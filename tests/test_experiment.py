"""The experiment runner (bench/repro.py, musiclab.experiment): stopped between runs and started again, it repeats no finished run
(issue 16), also when two processes resume it together (--jobs 2). The tiny study: two arms of the tiny GrooVAE, two seeds, on a made-up drum data set. And bench/paper.py at tiny size."""
import json, subprocess, sys, time
from conftest import ROOT
from musiclab.drums import _fake_gmd

def _repro_like(script, *args, timeout=600):
    return subprocess.run([sys.executable, str(ROOT/'bench'/script), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)

def _repro(*args, timeout=600): return _repro_like('repro.py', *args, timeout=timeout)

def _finished(path):
    try: return {k for k, r in json.loads(path.read_text())['runs'].items() if r.get('final')}
    except (FileNotFoundError, json.JSONDecodeError, KeyError): return set()

def test_stopped_study_resumes_without_repeating(tmp_path):
    gmd = _fake_gmd(tmp_path/'gmd', n=4, bars=10)
    args = ['--study', 'tiny', '--data', f'gmd:{gmd}', '--runs', str(tmp_path/'runs'), '--results', str(tmp_path)]
    res = tmp_path/'repro-tiny.json'
    r = _repro(*args, '--detach')
    assert r.returncode == 0 and 'running in the background' in r.stdout, r.stdout + r.stderr
    t0 = time.time()
    while not _finished(res) and time.time() - t0 < 400: time.sleep(0.5)
    first = _finished(res)
    assert first, (tmp_path/'runs'/'tiny.log').read_text()[-3000:]
    r = _repro(*args, '--stop')
    assert r.returncode == 0 and 'stopped tiny' in r.stdout, r.stdout + r.stderr
    time.sleep(1)
    before = json.loads(res.read_text())['runs']
    assert len(_finished(res)) < 4, 'the study ended before it was stopped: nothing was tested'
    r = _repro(*args, '--jobs', '2')   # resumed by two processes at once: each run trained by one of them, none twice
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    after = json.loads(res.read_text())
    assert _finished(res) == {'z8/seed-0', 'z4/seed-0', 'z8/seed-1', 'z4/seed-1'}
    for key in first:   # said so, and left exactly as it was
        assert f'{key}: finished before, kept' in r.stdout, r.stdout
        assert after['runs'][key] == before[key]
    trained = [l for l in r.stdout.splitlines() if ': training ' in l]
    assert len(trained) == 4 - len(first), r.stdout
    assert '| z8 | `groovae_4bar-tiny` |' in r.stdout and after['command'].startswith('python bench/repro.py --study tiny')
    assert after['command'].endswith(' --jobs 2'), after['command']   # the command as typed, not a worker's own

def test_unknown_study_is_one_clear_error():
    r = _repro('--study', 'nope')
    assert r.returncode == 2 and r.stderr.strip().splitlines()[-1].startswith("musiclab: error: unknown study 'nope'"), r.stderr

def test_paper_script_times_a_config_and_says_when_there_is_no_gpu(tmp_path):
    gmd = _fake_gmd(tmp_path/'gmd', n=4, bars=10)   # an epoch of a small drum set (the whole GMD takes half a minute to read)
    earlier = dict(command='python bench/paper.py time', date='2026-01-01', machine={'cores': 2}, finished=False,
                   rows=[dict(config='groovae_4bar', seconds_a_step=10.0), dict(config='groovae_4bar-tiny', seconds_a_step=99.0)])
    (tmp_path/'paper-timing.json').write_text(json.dumps(earlier))   # a kept file from another run: its other rows stay, each with that run's command
    r = _repro_like('paper.py', 'time', '--configs', 'groovae_4bar-tiny', '--results', str(tmp_path), '--data', f'gmd:{gmd}')
    assert r.returncode == 0 and 'groovae_4bar-tiny' in r.stdout and 's a step (timed at that batch)' in r.stdout, r.stdout + r.stderr[-2000:]
    assert f', an epoch of gmd:{gmd} ' in r.stdout and f'largest with an epoch of gmd:{gmd}: groovae_4bar-tiny' in r.stdout, r.stdout
    kept = json.loads((tmp_path/'paper-timing.json').read_text())
    old, new = kept['rows']
    assert (old['config'], old['seconds_a_step'], old['date'], old['command']) == ('groovae_4bar', 10.0, '2026-01-01', 'python bench/paper.py time'), old
    assert new['config'] == 'groovae_4bar-tiny' and new['seconds_a_step'] != 99.0 and '--configs groovae_4bar-tiny' in new['command'] and new['date'] != '2026-01-01', new
    assert kept['finished'] is False and kept['command'] == new['command']
    r = _repro_like('paper.py', 'train')
    import tensorflow as tf
    if not tf.config.list_physical_devices('GPU'): assert r.returncode == 0 and r.stdout.startswith('no GPU on this machine'), r.stdout + r.stderr[-2000:]
