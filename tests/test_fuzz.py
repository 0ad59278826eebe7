"""Bad input made from real input, through the command a user runs: 50 cases of the fuzz sweep in bench/fuzz.py
(MIDI, MusicXML, drum files, audio, checkpoints, cache entries and command-line values broken on purpose, seeded).
Each case may load, skip a file with a reason or stop with one clear `musiclab: error: ...` line — never end in a
traceback (or an internal error), a hang, or memory over its bound. The full sweep is `python bench/fuzz.py` (520 cases)."""
import importlib.util, json, subprocess, sys
from conftest import ROOT, run_musiclab

CASES, SEED, TIMEOUT = 50, 0, 180   # a case over TIMEOUT seconds is a hang (musiclab gives music21 120 s a file)

def _fuzz():
    "bench/fuzz.py as a module (its classification and report; the cases run in its own process)"
    if 'musiclab_bench_fuzz' in sys.modules: return sys.modules['musiclab_bench_fuzz']
    spec = importlib.util.spec_from_file_location('musiclab_bench_fuzz', ROOT/'bench'/'fuzz.py')
    mod = sys.modules['musiclab_bench_fuzz'] = importlib.util.module_from_spec(spec)   # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod

def test_outcomes_are_read_from_what_the_command_prints():
    "The sweep's classification of real output: a clear error, a load with skipped files, and a bug said as an internal error"
    fz = _fuzz()
    r = run_musiclab('data', 'spotify:top-50')
    assert fz.classify(dict(rc=r.returncode, stdout=r.stdout, stderr=r.stderr))[0] == 'clear error', r.stderr
    assert fz.classify(dict(rc=0, stdout='midi:x: 1 pieces\nskipped 2 files:\n  a.mid: no notes\n  b.mid: empty file\n', stderr=''))[0] == 'skipped'
    bug = 'musiclab: internal error: IndexError: list index out of range\nmusiclab: this is a bug in musiclab: run the same command with --debug\n'
    assert fz.classify(dict(rc=70, stdout='', stderr=bug))[0] == 'traceback'
    assert fz.classify(dict(rc=1, stdout='', stderr='musiclab: error: one\nmusiclab: error: two\n'))[0] == 'traceback'
    assert fz.classify(dict(killed='hang', seconds=45.0, peak_mb=3))[0] == 'hang'
    assert fz.classify(dict(killed='memory', seconds=2.0, peak_mb=2500))[0] == 'over memory'

def test_fuzz_cases_end_cleanly(tmp_path):
    "50 seeded cases of every kind: none ends in a traceback, a hang or memory over the bound; a failure lists each case"
    fz, out = _fuzz(), tmp_path/'fuzz.json'
    r = subprocess.run([sys.executable, str(ROOT/'bench'/'fuzz.py'), '--cases', str(CASES), '--seed', str(SEED), '--timeout', str(TIMEOUT),
                        '--workers', '2', '--json', str(out)], capture_output=True, text=True, timeout=1200, cwd=tmp_path)
    assert out.exists(), f'bench/fuzz.py wrote no results (status {r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    res = json.loads(out.read_text())['results']
    assert len(res) == CASES, f'{len(res)} of {CASES} cases ran:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    assert {x['kind'] for x in res} == set(fz.WEIGHTS), 'every kind of bad input is in the 50'
    assert r.stdout.strip().splitlines()[-1] == fz.headline(res)
    bad = [x for x in res if x['outcome'] in fz.BAD]
    assert not bad, (f'{len(bad)} of {CASES} fuzz cases ended in a traceback, a hang or memory over the bound '
                     f'(rerun one: python bench/fuzz.py --cases {CASES} --seed {SEED} --only ID --keep -v):\n\n'
                     + '\n\n'.join(fz.failure_report(x) for x in bad) + '\n\n' + fz.table(res))
