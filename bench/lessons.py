"""How long each lesson takes a student: every chapter of the course run top to bottom at its default settings, timed.

As a student meets them: the lessons are copied with `musiclab lessons` into a fresh folder outside the checkout, with an empty
cache (MUSICLAB_CACHE) and no reference data (MUSICLAB_SHARED_DATA=none: the cells that need the Chopin files, the Groove MIDI
Dataset or GTZAN skip themselves, as on a student's laptop), and run in course order, each in a fresh Python process with
the notebook runner (execnb, as nbdev uses it) but *not* in test mode: the models train at their lesson sizes. The cells
marked `#| slow` (long studies each chapter presents as optional, with their own time) are not run.

Run:  python bench/lessons.py            (all lessons; about an hour on 2 cores)
      python bench/lessons.py --only 10_lstm,11_fusion --out /tmp/lessons.json
Writes nbs/results/lessons.json (the course page, nbs/05_course.ipynb, shows it) and prints the table.
"""
import argparse, json, os, platform, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUN_ONE = r'''
import sys, time
from pathlib import Path
from execnb.nbio import read_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory
from musiclab.docs import _skip_cell   # the cells nbdev_test and the docs build skip: here, the #| slow studies
f = Path(sys.argv[1])
nb = read_nb(f)
def skip(cell): return _skip_cell(cell, {'slow'})
n = sum(not skip(c) for c in nb.cells)
t = time.time()
with working_directory(f.parent): CaptureShell(f).run_all(nb, exc_stop=True, preproc=skip)
print(f'CELLS {n} SECONDS {time.time() - t:.1f}')
'''

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--only', help='comma-separated lesson notebooks (default: the whole course)')
    ap.add_argument('--out', default=str(HERE.parent/'nbs'/'results'/'lessons.json'), help='where to write the timings')
    ap.add_argument('--timeout', type=int, default=3600, help='seconds one lesson may take before it counts as failed')
    args = ap.parse_args()
    from musiclab.core import atomic_write, portable, provenance
    from musiclab.course import LESSONS, copy_lessons
    stems = [l.stem for l in LESSONS]
    if args.only:
        only = [s.strip() for s in args.only.split(',') if s.strip()]
        unknown = set(only) - set(stems)
        if unknown: sys.exit(f'not lessons: {sorted(unknown)} (the course: {", ".join(stems)})')
        stems = [s for s in stems if s in only]
    work = Path(tempfile.mkdtemp(prefix='musiclab-lessons-'))
    copy_lessons(work/'course')
    env = {**os.environ, 'MUSICLAB_CACHE': str(work/'cache'), 'MUSICLAB_SHARED_DATA': 'none', 'MPLBACKEND': 'Agg'}
    env.pop('IN_TEST', None)
    cmd = f"python bench/lessons.py" + (f" --only {','.join(stems)}" if args.only else '')
    res = dict(command=cmd, date=time.strftime('%Y-%m-%d %H:%M'), **provenance(),
               machine=dict(platform=platform.platform(), processor=platform.processor() or platform.machine(), cores=os.cpu_count(),
                            python=platform.python_version(), load_before=round(os.getloadavg()[0], 2)), lessons={})
    t0 = time.time()
    for s in stems:
        t = time.time()
        try:
            r = subprocess.run([sys.executable, '-c', RUN_ONE, str(work/'course'/f'{s}.ipynb')], capture_output=True, text=True,
                               env=env, cwd=work/'course', timeout=args.timeout)
            ok, tail = r.returncode == 0, (r.stdout + r.stderr)[-1500:]
        except subprocess.TimeoutExpired: ok, tail = False, f'over {args.timeout} s'
        row = dict(seconds=round(time.time() - t, 1), ok=ok)
        if not ok: row['error'] = portable(tail.replace(str(work), '<lessons folder>'))
        res['lessons'][s] = row
        print(f"{s:<16} {row['seconds']:>7.1f} s  {'ok' if ok else 'FAILED'}", flush=True)
        if not ok: print(tail, file=sys.stderr)
    res['seconds'] = round(time.time() - t0, 1)
    res['machine']['load_after'] = round(os.getloadavg()[0], 2)
    atomic_write(args.out, json.dumps(res, indent=1) + '\n')
    failed = [s for s, r in res['lessons'].items() if not r['ok']]
    print(f"lessons: {len(stems)} run in {res['seconds'] / 60:.1f} min, {len(failed)} failed{': ' + ', '.join(failed) if failed else ''}; wrote {portable(args.out)}")
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main())
