"""What safety and laziness cost in musiclab.core, measured side by side in one run.

1. `atomic_write` (temporary file, fsync, rename, fsync of the folder) against a plain `open().write()`
   of the same bytes, for a small config-sized file and a 16 MB checkpoint-sized one.
2. Start-up of `musiclab --version` and of `musiclab list` (neither imports TensorFlow: the configs name their classes
   and `musiclab.configs` imports no model) against `python -c "import tensorflow"`, medians of a few runs each.
3. `musiclab demo` as a user first runs it (every shipped model, into a temporary folder), wall time, median of 3 (issue 18's goal:
   under 10 s on a quiet 2-core machine); the load average before is printed, since a busy machine says little.

Run: python bench/core.py
"""
import os, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path
from musiclab.core import atomic_write

def best_of(fn, n):
    ts = []
    for _ in range(n):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return min(ts), statistics.median(ts)

def plain_write(path, data):
    with open(path, 'wb') as f: f.write(data)

def main():
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
        _, demo = best_of(lambda: run(str(exe), 'demo', '--out', str(Path(tmp)/'demo')), 3)   # the same folder each time: its files written over
    print(f'musiclab demo (every shipped model, median of 3): {demo:.1f} s (goal: under 10 s on a quiet machine; load average {load:.1f} before)')
    print(f'musiclab --version starts {tf/ver:.0f}x and musiclab list {tf/lst:.0f}x faster than an import of TensorFlow')

if __name__ == '__main__': main()
