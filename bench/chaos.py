"""Kill it, restart it, lose nothing: training of every model family through the `musiclab train` command, killed with
SIGKILL at random moments and restarted with the same command each time.

For each family the same command runs again and again; each run is killed after a random delay (uniform between 0.5 s
and --horizon s: during start-up, parsing or rendering into the cache, mid-epoch, mid-checkpoint write, or while the
final model is saved). A run that ends by itself before its kill has finished training; the remaining kills then hit
the short runs that find the training done and save the model again. After the kills the command runs once more,
unkilled, and the run folder is checked:

- that last run exits with status 0;
- the history in musiclab.json has every epoch once and in order, for every network (the loss curve continues, it does
  not start again), and training reached the requested epochs (or stopped early by the config's patience);
- the checkpoint loads in a fresh process, with finite weights;
- no temporary file of a killed write is left, in the run folder or in the cache, and no `epoch-N.keras` that
  `state.json` did not commit (see `musiclab.train.Checkpoint`).

A kill "survives" when the command run after it does not fail (it ends with status 0 or is itself killed). Prints
`FAMILY: survived N/K` per family and, last, the total. The data are the project's defaults or small stand-ins (music21's
piano pieces; three chorales rendered to audio; a synthetic drum folder when ../shared/data/groove is absent), in a fresh
cache folder, so that the first runs are killed while they parse and render too.

Run: python bench/chaos.py [--kills 20] [--size tiny|small] [--families lstm,fusion,...] [--seed 0]
(tests/test_chaos.py runs the same with 3 kills of the lstm at its tiny size.)
"""
import argparse, json, os, random, shutil, signal, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def families(size:str, work:Path)->dict:
    "family -> (config, data spec, epochs): sizes for which a run takes long enough to be killed in several places"
    groove = ROOT.parent/'shared'/'data'/'groove'
    if not groove.is_dir():
        from musiclab.drums import _fake_gmd
        groove = _fake_gmd(work/'groove', n=8)
    audio = 'rendered:m21-chorales:3'
    return {'lstm': (f'lstm-{size}', 'm21-piano', 12 if size == 'tiny' else 6),
            'fusion': (f'fusion-{size}', 'm21-piano', 10 if size == 'tiny' else 4),
            'musicvae': (f'groovae-4bar-{size}', f'gmd:{groove}', 12 if size == 'tiny' else 3),
            'wavevae': (f'wavevae-{size}', audio, 20 if size == 'tiny' else 4),
            'specvae': (f'specvae-{size}', audio, 20 if size == 'tiny' else 4)}

def _exe()->str:
    exe = Path(sys.executable).parent/'musiclab'
    return str(exe) if exe.exists() else shutil.which('musiclab')

def run_once(cmd:list, env:dict, kill_after:float|None)->tuple[int, float]:
    "Run `cmd`; SIGKILL its whole process group after `kill_after` s. Returns (status, seconds): -9 when it was killed; its stderr in `run_once.last_err`"
    t = time.time()
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        try: p.wait(timeout=kill_after); status = p.returncode
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL); p.wait(); status = -9
        err.seek(0); run_once.last_err = err.read().decode(errors='replace')
    return status, time.time() - t

_CHECK = '''
import json, sys
import numpy as np
from musiclab.model import load_checkpoint
m = load_checkpoint(sys.argv[1])
print(json.dumps(dict(finite=bool(all(np.isfinite(w).all() for n in m.nets.values() for w in n.get_weights())), parts=list(m.parts))))
'''

def check(out:Path, cache:Path, epochs:int, env:dict)->dict:
    "What the run folder says after the last, unkilled run"
    meta = json.loads((out/'musiclab.json').read_text())
    parts = sorted({h['part'] for h in meta['history']})
    per_part = {p: [h['epoch'] for h in meta['history'] if h['part'] == p] for p in parts}
    continuous = bool(parts) and all(e == list(range(len(e))) for e in per_part.values())
    done = min(len(e) for e in per_part.values()) if parts else 0
    r = subprocess.run([sys.executable, '-c', _CHECK, str(out)], env=env, capture_output=True, text=True, timeout=600)
    loaded = json.loads(r.stdout.strip().splitlines()[-1]) if r.returncode == 0 else {}
    left = [str(p) for d in (out, cache) for p in d.rglob('.*.tmp*')] + [str(p) for p in out.rglob('epoch-*.keras')]   # a model no state.json committed
    return dict(continuous=continuous, epochs=done, requested=epochs, loads=r.returncode == 0, finite=loaded.get('finite', False),
                temp_left=left, ok=continuous and r.returncode == 0 and loaded.get('finite', False) and not left)

def chaos(family:str, config:str, data:str, epochs:int, kills:int, horizon:float, rng:random.Random, work:Path, verbose:bool=True)->dict:
    out, cache = work/family, work/'cache'
    env = {**os.environ, 'MUSICLAB_CACHE': str(cache), 'PYTHONUNBUFFERED': '1'}
    cmd = [_exe(), 'train', family, '--config', config, '--data', data, '--epochs', str(epochs), '--out', str(out)]
    survived, failures, finished_at, t0 = 0, [], None, time.time()
    status, _ = run_once(cmd, env, rng.uniform(0.5, horizon))
    for k in range(kills):
        if status not in (0, -9): failures.append(f'run {k}: status {status}: {run_once.last_err.strip().splitlines()[-1:]}')
        if status == 0 and finished_at is None: finished_at = k
        status, _ = run_once(cmd, env, rng.uniform(0.5, horizon))   # the run after kill k
        survived += status in (0, -9)
    final, secs = run_once(cmd, env, None)
    res = dict(family=family, config=config, kills=kills, survived=survived, final_status=final, finished_before_kill=finished_at,
               failures=failures, seconds=round(time.time() - t0))
    if final != 0: res.update(ok=False, final_error=run_once.last_err.strip().splitlines()[-3:])
    else: res.update(check(out, cache, epochs, env))
    if verbose:
        c = res
        print(f"{family}: survived {survived}/{kills} (final run {'ok' if final == 0 else f'status {final}'}; epochs {c.get('epochs')}/{epochs}, "
              f"history {'continuous' if c.get('continuous') else 'BROKEN'}, loads {'with finite weights' if c.get('finite') else 'NO'}, "
              f"{len(c.get('temp_left', []))} temporary files left; {res['seconds']} s)", flush=True)
    return res

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kills', type=int, default=20)
    ap.add_argument('--size', default='tiny', choices=['tiny', 'small'], help='config size (default tiny: the whole sweep in well under an hour on 2 cores)')
    ap.add_argument('--families', default='lstm,fusion,musicvae,wavevae,specvae')
    ap.add_argument('--horizon', type=float, default=25.0, help='longest delay before a kill, in seconds')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--json', help='also write the results here')
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix='musiclab-chaos-'))
    try:
        fams = families(args.size, work)
        results = [chaos(f, *fams[f], args.kills, args.horizon, rng, work) for f in args.families.split(',')]
    finally: shutil.rmtree(work, ignore_errors=True)
    if args.json: Path(args.json).write_text(json.dumps(results, indent=1))
    good = sum(r['ok'] and r['survived'] == r['kills'] for r in results)
    each = ', '.join(f"{r['family']} {r['survived']}/{r['kills']}" for r in results)
    print(f"chaos: {good}/{len(results)} families survived every kill with a whole checkpoint ({each}; {args.kills} kills each, {args.size} configs)")

if __name__ == '__main__': main()
