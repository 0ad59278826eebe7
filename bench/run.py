"""Run every benchmark in bench/ and measure what they share, in one run on one machine.

- each `bench/*.py` benchmark in a subprocess: its headline (last line), wall time and peak memory (max RSS);
- training throughput of `lstm-small` (sequences per second) on batches of its own shapes;
- the compute efficiency of that training: the FLOP/s it achieves (counted from the layer sizes) divided by the FLOP/s
  of a large float32 matrix product on the same machine in the same run (the machine's practical limit).

It prints one line per figure and writes them to bench/latest.json, with the machine it ran on.
The result table of the waveform lesson (`wavevae_compare.py`, which trains full models for up to an hour) is not a benchmark of speed
and is left out unless named with --long; the experiment studies (`repro.py`, hours) are never run from here.
Run: python bench/run.py [--skip NAME ...] [--long NAME ...]
"""
import argparse, json, os, platform, re, subprocess, sys, time
from pathlib import Path
from musiclab.core import atomic_write, provenance

HERE = Path(__file__).parent
LONG = ('wavevae_compare', 'lessons', 'chaos', 'working')  # result tables and long studies (an hour, or hours): each reported on its own
NOT_BENCHMARKS = ('run', 'ship_melody', 'repro', 'paper')   # this runner, the script that trains and ships a checkpoint, the experiment runner and the paper-size runs (hours)
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
    lines = [l for l in lines if not l.startswith('@@peak_mb')]
    return dict(name=script.stem, seconds=round(time.perf_counter() - t, 1), peak_mb=peak, returncode=r.returncode,
                headline=lines[-1] if lines else (r.stderr.strip().splitlines() or [''])[-1], output=lines)

def matmul_flops(n:int=2048, repeats:int=10)->float:
    "FLOP/s of an n x n float32 matrix product (the best of `repeats`, after a warm-up)"
    import tensorflow as tf
    a = tf.random.normal((n, n)); b = tf.random.normal((n, n))
    (a @ b).numpy()
    best = min(_timed(lambda: (a @ b).numpy()) for _ in range(repeats))
    return 2 * n ** 3 / best

def _timed(f):
    t = time.perf_counter(); f(); return time.perf_counter() - t

def lstm_training(steps:int=20)->dict:
    "Sequences/s and FLOP/s of lstm-small training steps on batches of its own shapes"
    import numpy as np
    from musiclab.core import get_config, set_seed
    from musiclab.models.lstm import build_net
    import keras
    hp = get_config('lstm-small').hparams
    n_notes, n_durs, T, B = 134, 27, hp['window'], hp['batch_size']   # the vocabulary sizes lstm-small has on m21-piano
    set_seed(0)
    net = build_net(n_notes, n_durs, hp['units'], hp['layers'], hp['dropout'], hp['note_dim'], hp['dur_dim'], hp['dense'], hp['targets'])
    net.compile(keras.optimizers.Adam(1e-3), loss=['sparse_categorical_crossentropy'] * 2)
    rng = np.random.default_rng(0)
    x = [rng.integers(1, n_notes, (B * steps, T)), rng.integers(1, n_durs, (B * steps, T))]
    y = [rng.integers(1, n_notes, (B * steps, T)), rng.integers(1, n_durs, (B * steps, T))]
    net.fit(x, y, batch_size=B, epochs=1, verbose=0, steps_per_epoch=2)            # warm-up: tracing
    secs = _timed(lambda: net.fit(x, y, batch_size=B, epochs=1, verbose=0))
    U, I = hp['units'], hp['note_dim'] + hp['dur_dim']
    per_step = sum(2 * 4 * U * ((I if i == 0 else U) + U) for i in range(hp['layers']))   # multiply-adds of the LSTM gates
    per_step += 2 * U * hp['dense'] + 2 * hp['dense'] * (n_notes + n_durs)               # dense layer and both heads
    flops = 3 * per_step * T * B * steps                                                   # forward + backward (about 2x forward)
    return dict(sequences_per_s=B * steps / secs, flops_per_s=flops / secs, params=net.count_params())

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
    mm = matmul_flops()
    tr = lstm_training()
    res['figures'] = dict(matmul_gflops=mm / 1e9, lstm_small_sequences_per_s=tr['sequences_per_s'], lstm_small_gflops=tr['flops_per_s'] / 1e9,
                          lstm_small_efficiency=tr['flops_per_s'] / mm)
    print(f"float32 matrix product (2048 x 2048): {mm / 1e9:.1f} GFLOP/s")
    print(f"lstm-small training: {tr['sequences_per_s']:.1f} sequences/s of 100 events, {tr['flops_per_s'] / 1e9:.1f} GFLOP/s")
    res['seconds'] = round(time.time() - t0)
    res['machine']['load_after'] = round(os.getloadavg()[0], 2)   # a busy machine (other jobs) shows here: ratios hold up better than times
    atomic_write(HERE/'latest.json', json.dumps(res, indent=1))
    print(f"lstm-small training reaches {tr['flops_per_s'] / mm:.0%} of the machine's matrix-product FLOP/s (all benchmarks: {res['seconds']} s)")

if __name__ == '__main__': main()
