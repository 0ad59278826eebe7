"""Run every benchmark in bench/ and measure what they share, in one run on one machine.

- each `bench/*.py` benchmark in a subprocess: its headline (last line), wall time and peak memory (max RSS);
- from `train.py`'s roofline table (every family's training: examples/s, FLOPs a step counted from the layer shapes, their
  FLOP/s divided by a large float32 matrix product's in the same run), the headline figures of `lstm-small`.

It prints one line per figure and writes them to bench/latest.json, with the machine it ran on.
The result table of the waveform lesson (`wavevae_compare.py`, which trains full models for up to an hour) is not a benchmark of speed
and is left out unless named with --long; the experiment studies (`repro.py`, hours) are never run from here.
Run: python bench/run.py [--skip NAME ...] [--long NAME ...]
"""
import argparse, json, os, platform, re, subprocess, sys, time
from pathlib import Path
from musiclab.core import atomic_write, provenance

HERE = Path(__file__).parent
LONG = ('wavevae_compare', 'lessons', 'chaos', 'working', 'lstm_batch', 'fusion', 'fuzz')  # result tables and long studies (6 minutes to hours): each reported on its own
NOT_BENCHMARKS = ('run', 'ship_melody', 'repro', 'paper', 'phase')   # this runner, the script that trains and ships a checkpoint, the experiment runner, the paper-size runs (hours) and a lesson's result table
WRAP = '''
import resource, runpy, sys
sys.argv = [sys.argv[1]] + sys.argv[2:]
try: runpy.run_path(sys.argv[0], run_name="__main__")
finally:  # the benchmark's own process or the largest of the processes it started, whichever is larger
    print(f"@@peak_mb {max(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024:.0f}", flush=True)
'''

def run_benchmark(script:Path)->dict:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, '-c', WRAP, str(script)], capture_output=True, text=True)
    lines = [l for l in r.stdout.splitlines() if l.strip()]
    peak = next((float(l.split()[1]) for l in lines if l.startswith('@@peak_mb')), None)
    data = next((json.loads(l.split(' ', 1)[1]) for l in lines if l.startswith('@@json ')), None)   # a benchmark's figures, machine-readable
    lines = [l for l in lines if not l.startswith(('@@peak_mb', '@@json '))]
    return dict(name=script.stem, seconds=round(time.perf_counter() - t, 1), peak_mb=peak, returncode=r.returncode,
                headline=lines[-1] if lines else (r.stderr.strip().splitlines() or [''])[-1], output=lines, **({'data': data} if data else {}))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--skip', nargs='*', default=[], help='benchmarks (file stems) to leave out')
    ap.add_argument('--long', nargs='*', default=[], help=f"result tables to run as well ({', '.join(LONG)})")
    args = ap.parse_args()
    t0 = time.time()
    res = dict(machine=dict(platform=platform.platform(), processor=platform.processor() or platform.machine(), cores=os.cpu_count(),
                            python=platform.python_version(), load_before=round(os.getloadavg()[0], 2)),
               date=time.strftime('%Y-%m-%d %H:%M'), **provenance(), benchmarks=[], figures={})   # the code it measured
    for script in sorted(HERE.glob('*.py')):
        if script.stem in NOT_BENCHMARKS or script.stem in args.skip or (script.stem in LONG and script.stem not in args.long): continue
        b = run_benchmark(script); res['benchmarks'].append(b)
        print(f"{b['name']}: {b['headline']} [{b['seconds']} s, peak {b['peak_mb']} MB{'' if b['returncode'] == 0 else ', FAILED'}]", flush=True)
    tr = next((b.get('data') for b in res['benchmarks'] if b['name'] == 'train'), None)
    lstm = next((r for r in (tr or {}).get('rows', []) if r['config'] == 'lstm-small'), None)
    if lstm:   # the figures the table started from (the treble network: the bass one is the same size)
        res['figures'] = dict(matmul_gflops=tr['matmul_gflops'], lstm_small_sequences_per_s=lstm['examples_per_s'], lstm_small_gflops=lstm['gflops'],
                              lstm_small_efficiency=lstm['gflops'] / tr['matmul_gflops'])
    res['seconds'] = round(time.time() - t0)
    res['machine']['load_after'] = round(os.getloadavg()[0], 2)   # a busy machine (other jobs) shows here: ratios hold up better than times
    atomic_write(HERE/'latest.json', json.dumps(res, indent=1))
    eff = res['figures'].get('lstm_small_efficiency')
    print(f"lstm-small training reaches {eff:.0%} of the machine's matrix-product FLOP/s (all benchmarks: {res['seconds']} s)" if eff is not None
          else f"all benchmarks: {res['seconds']} s (train.py gave no lstm-small figure)")

if __name__ == '__main__': main()
