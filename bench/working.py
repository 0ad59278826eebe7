"""How long the audio VAEs made to work take to train on this machine (issue 19: each `-working-small` config in under
15 minutes on 2 cores): each config trained from scratch by the command a user runs, `musiclab train MODEL --config
NAME --out DIR`, on its default data (the music21 piano pieces rendered on four instruments), in a fresh process with an
empty checkpoint folder, one after the other. The rendering of the data is done once before the clock starts (it is
cached), so the figure is training: loading, cutting into clips, the epochs, and saving.

Prints one line a config (wall-clock minutes, the load average before and after: other work on the machine slows it)
and, last, the headline: the slower of the two against the 15-minute goal. It is long (about 15 minutes on 2 cores in 2026-12, an hour before the audio VAEs trained with oneDNN):
`bench/run.py` runs it only when named, `python bench/run.py --long working`. The figures are kept in
nbs/results/working-timing.json (with the command, the date, the machine and its load), which the two audio chapters read;
the checkpoints it leaves in --out are the ones musiclab ships (musiclab/assets/README.md says how they are copied).

Run: python bench/working.py [--configs wavevae-working-small specvae-working-small] [--out runs/bench-working]
(--configs with one of them times that one again; the kept file keeps the other's figure with the command and date that made it)
"""
import argparse, datetime, json, os, shutil, subprocess, sys, time
from pathlib import Path

GOAL_MIN = 15.0

def train(model:str, name:str, out:Path)->dict:
    "Train one config to the end in a fresh process; wall-clock seconds and the load average before and after"
    shutil.rmtree(out, ignore_errors=True)
    before = os.getloadavg()[0]
    t = time.perf_counter()
    r = subprocess.run([sys.executable, '-c', 'import sys; from musiclab.cli import main; sys.exit(main())', 'train', model, '--config', name, '--out', str(out), '--quiet'],
                       capture_output=True, text=True)
    dt = time.perf_counter() - t
    if r.returncode: raise SystemExit(f'{name} failed:\n{r.stderr[-3000:]}')
    return dict(config=name, seconds=dt, load_before=before, load_after=os.getloadavg()[0], onednn='oneDNN kernels' in r.stdout)   # as `musiclab train` says it trained

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--configs', nargs='+', default=['wavevae-working-small', 'specvae-working-small'])
    ap.add_argument('--out', default='runs/bench-working', help='where the checkpoints go (emptied first)')
    ap.add_argument('--write', default='nbs/results/working-timing.json', help="the kept result file ('' to keep nothing)")
    args = ap.parse_args()
    from musiclab.core import atomic_write, get_config, provenance
    from musiclab.evaluate import _machine
    from musiclab.audio import load_audio
    print(f'{os.cpu_count()} cores; each config trained from scratch by `musiclab train`, one after the other')
    for name in args.configs:   # render (or find in the cache) each config's data before any clock starts
        cfg = get_config(name)
        load_audio(cfg.data, sample_rate=cfg['sample_rate'])
    res = []
    for name in args.configs:
        cfg = get_config(name)
        r = train(cfg.model, name, Path(args.out)/name)
        res.append(dict(r, epochs=cfg['epochs'], batch_size=cfg['batch_size'], minutes=round(r['seconds'] / 60, 2), seconds=round(r['seconds'], 1),
                        load_before=round(r['load_before'], 2), load_after=round(r['load_after'], 2)))
        print(f"{name:>22}: {r['seconds'] / 60:5.1f} min ({cfg['epochs']} epochs of batch {cfg['batch_size']}{', oneDNN kernels' if r['onednn'] else ''}; "
              f"load average {r['load_before']:.1f} before, {r['load_after']:.1f} after)")
    worst = max(res, key=lambda r: r['seconds'])
    print(f"slowest: {worst['config']} trains in {worst['seconds'] / 60:.1f} min on {os.cpu_count()} cores "
          f"({'within' if worst['seconds'] / 60 < GOAL_MIN else 'over'} the {GOAL_MIN:.0f}-minute goal)")
    if args.write:
        cmd = 'python bench/working.py' + ('' if args.configs == ap.get_default('configs') else ' --configs ' + ' '.join(args.configs))
        head = dict(provenance(), command=cmd, date=datetime.date.today().isoformat(), machine=_machine())
        old = json.loads(Path(args.write).read_text()) if Path(args.write).exists() else {}
        kept = [dict(r, **{k: r.get(k, old.get(k)) for k in ('command', 'date', 'commit', 'machine')}) for r in old.get('runs', []) if r['config'] not in args.configs]
        atomic_write(args.write, json.dumps(dict(head, goal_minutes=GOAL_MIN,   # the configs not timed now keep their own run's
                                                 runs=kept + [dict(r, **head) for r in res]), indent=1) + '\n')
        print(f'kept: {args.write}')

if __name__ == '__main__': main()
