"""What safety and laziness cost in musiclab.core, measured side by side in one run.

1. `atomic_write` (temporary file, fsync, rename, fsync of the folder) against a plain `open().write()`
   of the same bytes, for a small config-sized file and a 16 MB checkpoint-sized one.
2. Start-up of `musiclab --version` and of `musiclab list` (neither imports TensorFlow: the configs name their classes
   and `musiclab.configs` imports no model) against `python -c "import tensorflow"`, medians of a few runs each.
3. `musiclab demo` as a user first runs it (every shipped model, into a temporary folder, by the console script's function), wall time, median of 3 (issue 18's goal:
   under 10 s on a quiet 2-core machine); the load average before is printed, since a busy machine says little.
4. With `--against REF`: the demo of the code at git revision REF (checked out in a temporary worktree) and of this checkout,
   taken in turns, `--rounds` each, and the ratio of their medians: a change measured side by side, so that the host's drift
   from one hour to the next (which moves the demo by seconds here) falls on both. The CPU time of each (both of its processes)
   is printed too: on 2 cores the demo's two processes keep both busy, so the work they do bounds the wall time from below.

Run: python bench/core.py [--against REF [--rounds N]]
"""
import argparse, os, resource, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path
from musiclab.core import atomic_write

def best_of(fn, n):
    ts = []
    for _ in range(n):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return min(ts), statistics.median(ts)

def plain_write(path, data):
    with open(path, 'wb') as f: f.write(data)

ROOT = Path(__file__).resolve().parent.parent

def demo_seconds(tree:Path, out:Path)->tuple[float, float]:
    "Wall time and CPU time (user + system, its rendering process included) of `musiclab demo --out out` run from the package in `tree`, as its console script runs it"
    code = ('import sys; sys.path.insert(0, sys.argv[1]); import musiclab.cli as c; assert c.__file__.startswith(sys.argv[1]); '
            'sys.argv = ["musiclab", "demo", "--out", sys.argv[2]]; sys.exit(getattr(c, "program", c.main)())')   # older code has no `program`
    cpu = lambda: (lambda r: r.ru_utime + r.ru_stime)(resource.getrusage(resource.RUSAGE_CHILDREN))   # of every finished process below this one
    t, c = time.perf_counter(), cpu()
    subprocess.run([sys.executable, '-c', code, str(tree), str(out)], capture_output=True, check=True)
    return time.perf_counter() - t, cpu() - c

def against(ref:str, rounds:int):
    "The demo at `ref` and here, in turns (who goes first alternates), `rounds` times each"
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp)/'ref'
        subprocess.run(['git', '-C', str(ROOT), 'worktree', 'add', '--detach', '-q', str(old), ref], check=True)
        try:
            ts, cs = {'ref': [], 'here': []}, {'ref': [], 'here': []}
            for r in range(rounds):
                for who in (('ref', 'here') if r % 2 == 0 else ('here', 'ref')):
                    t, c = demo_seconds(old if who == 'ref' else ROOT, Path(tmp)/f'demo-{who}')
                    ts[who].append(t); cs[who].append(c)
        finally: subprocess.run(['git', '-C', str(ROOT), 'worktree', 'remove', '--force', str(old)], check=True)
    a, b = statistics.median(ts['ref']), statistics.median(ts['here'])
    ca, cb = statistics.median(cs['ref']), statistics.median(cs['here'])
    print(f"musiclab demo at {ref}: {' '.join(f'{t:.1f}' for t in ts['ref'])} s; here: {' '.join(f'{t:.1f}' for t in ts['here'])} s")
    print(f'musiclab demo, medians of {rounds} taken in turns: {b:.1f} s here against {a:.1f} s at {ref} ({a / b:.2f}x); '
          f'CPU time (both processes) {cb:.1f} s here against {ca:.1f} s ({ca / cb:.2f}x)')

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--against', help='a git revision: time its demo and this checkout\'s side by side')
    ap.add_argument('--rounds', type=int, default=4, help='demos of each, with --against')
    args = ap.parse_args()
    if args.against: return against(args.against, args.rounds)
    d = Path(tempfile.mkdtemp())
    print(f'python {sys.version.split()[0]} on {os.cpu_count()} cores')
    for label, size, n in [('4 KB', 4 << 10, 200), ('16 MB', 16 << 20, 10)]:
        data = os.urandom(size)
        a, am = best_of(lambda: atomic_write(d/'a.bin', data), n)
        p, pm = best_of(lambda: plain_write(d/'p.bin', data), n)
        print(f'write {label}: atomic {a*1e3:.2f} ms (median {am*1e3:.2f}), plain {p*1e3:.2f} ms (median {pm*1e3:.2f}); atomic/plain = {am/pm:.1f}x')
    exe = Path(sys.executable).parent/'musiclab'
    shutil.rmtree(d)
    run = lambda *cmd: subprocess.run(cmd, capture_output=True, check=True)
    _, ver = best_of(lambda: run(str(exe), '--version'), 5)
    _, lst = best_of(lambda: run(str(exe), 'list'), 5)
    _, tf = best_of(lambda: run(sys.executable, '-c', 'import tensorflow'), 3)
    print(f'start-up (medians): musiclab --version {ver*1e3:.0f} ms, musiclab list {lst*1e3:.0f} ms, import tensorflow {tf*1e3:.0f} ms')
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        _, demo = best_of(lambda: demo_seconds(ROOT, Path(tmp)/'demo'), 3)   # the same folder each time: its files written over
    print(f'musiclab demo (every shipped model, median of 3): {demo:.1f} s (goal: under 10 s on a quiet machine; load average {load:.1f} before)')
    print(f'musiclab --version starts {tf/ver:.0f}x and musiclab list {tf/lst:.0f}x faster than an import of TensorFlow')

if __name__ == '__main__': main()
