"""How well training scales over workers with tf.distribute.MultiWorkerMirroredStrategy, measured side by side in one run.

The same small model (the treble LSTM of `lstm-small`: 3x128 units, windows of 100 events, 32 windows a batch per worker)
trains on the m21-piano windows (a) in one worker process pinned to one core and (b) in two worker processes on
127.0.0.1 pinned to one core each (TF_CONFIG each, the global batch 2 x 32, sharded by piece). Each process runs
TensorFlow with one thread, so a worker is one core. Throughput is windows per second over the steps after a warm-up
(tracing and the first steps left out), taken on the chief. Scaling efficiency = 2-worker throughput / (2 x 1-worker
throughput): 1.0 would be perfect, the rest is the price of the all-reduce of every gradient between the processes.

The two set-ups run alternately `--repeat` times and the best throughput of each counts (other jobs on a shared machine
only ever slow a run down).

Run: python bench/scale.py [--steps 60] [--warmup 5] [--repeat 2]
"""
import argparse, json, os, socket, subprocess, sys, tempfile, time
from pathlib import Path

WORKER = r'''
import json, os, sys, time
core, steps, warmup, result = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
os.sched_setaffinity(0, {core})                 # this worker is one core
import tensorflow as tf
tf.config.threading.set_intra_op_parallelism_threads(1); tf.config.threading.set_inter_op_parallelism_threads(1)
from musiclab.train import distribute, get_strategy, worker_of
strat = get_strategy('multiworker' if os.environ.get('TF_CONFIG') else 'default')
import keras
from musiclab.core import get_config, set_seed
from musiclab.corpus import load_corpus
from musiclab.models.lstm import LSTMModel
from musiclab.symbolic import concat
cfg = get_config('lstm-small', batch_size=32); hp = cfg.hparams   # 32 a worker, as this benchmark has always measured (lstm-small itself trains on 256)
set_seed(0)
m = LSTMModel(cfg); items = load_corpus('m21-piano').items
m.converter.fit(items); encs = [m.converter.encode(it) for it in items]
n = worker_of(strat)[1]
net = m.build('treble', strat)
data, _ = distribute(lambda i, k, b: m.windows(encs, 'treble', i, k, b), strat, hp['batch_size'] * n,
                     len(concat(encs, 'treble', hp['window'], hp['stride'])[2]))
if n == 1: data = data.repeat()
class Clock(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch + 1 == warmup: self.t0 = time.perf_counter()
        if batch + 1 == warmup + steps: self.t1 = time.perf_counter()
clock = Clock()
net.fit(data, epochs=1, steps_per_epoch=warmup + steps, verbose=0, callbacks=[clock])
json.dump(dict(worker=worker_of(strat), seconds=clock.t1 - clock.t0, examples=steps * hp['batch_size'] * n), open(result, 'w'))
'''

def free_ports(k):
    socks = [socket.socket() for _ in range(k)]
    for s in socks: s.bind(('127.0.0.1', 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks: s.close()
    return ports

def run(workers, steps, warmup, d):
    "Examples per second of a cluster of `workers` processes, one core each (from the chief's clock)"
    hosts = [f'127.0.0.1:{p}' for p in free_ports(workers)]
    procs = []
    try:
        for i in range(workers):
            env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2')
            if workers > 1: env['TF_CONFIG'] = json.dumps({'cluster': {'worker': hosts}, 'task': {'type': 'worker', 'index': i}})
            procs.append(subprocess.Popen([sys.executable, str(d/'worker.py'), str(i % os.cpu_count()), str(steps), str(warmup),
                                           str(d/f'{workers}-{i}.json')], env=env, stdout=subprocess.DEVNULL, stderr=open(d/f'{workers}-{i}.log', 'w')))
        for p in procs: p.wait(timeout=1200)
    finally:
        for p in procs:
            if p.poll() is None: p.kill()
    if any(p.returncode for p in procs): sys.exit(f'a worker failed: see {d}/{workers}-*.log\n' + (d/f'{workers}-0.log').read_text()[-2000:])
    r = json.loads((d/f'{workers}-0.json').read_text())
    return r['examples'] / r['seconds'], r

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=60); ap.add_argument('--warmup', type=int, default=5); ap.add_argument('--repeat', type=int, default=2)
    a = ap.parse_args()
    d = Path(tempfile.mkdtemp()); (d/'worker.py').write_text(WORKER)
    print(f'python {sys.version.split()[0]} on {os.cpu_count()} cores; lstm-small treble, {a.warmup} warm-up + {a.steps} timed steps, '
          f'32 windows a step per worker; best of {a.repeat}')
    ones, twos = [], []
    for k in range(a.repeat):
        ones.append(run(1, a.steps, a.warmup, d)[0]); twos.append(run(2, a.steps, a.warmup, d)[0])
        print(f'  round {k + 1}: 1 worker {ones[-1]:.1f} windows/s, 2 workers {twos[-1]:.1f} windows/s')
    one, two = max(ones), max(twos)
    print(f'1 worker  (core 0):          {one:6.1f} windows/s')
    print(f'2 workers (cores 0 and 1):   {two:6.1f} windows/s')
    print(f'speed-up 2 workers / 1 worker: {two / one:.2f}x')
    print(f'scaling efficiency (2-worker throughput / 2 x 1-worker throughput): {two / (2 * one):.2f}')

if __name__ == '__main__': main()
