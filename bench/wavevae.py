"""Training speed and peak memory of the waveform VAE: wavevae-small against wavevae-paper (and the seed's network for
reference), side by side in one run on this machine.

Each config trains in a subprocess of its own (so that its peak memory, the max RSS of that process, is its own) on
batches of its own shape — 8 clips of 90,001 samples, random noise at the level of peak-normalised audio (the speed
of a convolution does not depend on what it convolves). The first steps (tracing, memory allocation) are not timed;
then --steps optimiser steps are, through Keras' `fit`, with the model's own train_step (the one-sample ELBO).

Run: python bench/wavevae.py [--steps 6] [--configs wavevae-small wavevae-paper wavevae-seed]
"""
import argparse, json, os, subprocess, sys, time

CHILD = r'''
import json, resource, sys, time
import numpy as np
from musiclab.core import get_config, set_seed
from musiclab.models.wavevae import WaveVAEModel
name, steps = sys.argv[1], int(sys.argv[2])
cfg = get_config(name)
set_seed(0)
import tensorflow as tf
net = WaveVAEModel(cfg).build('vae', tf.distribute.get_strategy())
b, L = cfg['batch_size'], cfg['clip_samples']
x = (0.3 * np.random.default_rng(0).standard_normal((b * (steps + 2), L))).clip(-0.95, 0.95).astype('float32')
warm = tf.data.Dataset.from_tensor_slices(x[:2 * b]).batch(b)
timed = tf.data.Dataset.from_tensor_slices(x[2 * b:]).batch(b).cache()
for _ in timed: pass
net.fit(warm, epochs=1, verbose=0)
t = time.perf_counter(); net.fit(timed, epochs=1, verbose=0); dt = time.perf_counter() - t
print(json.dumps(dict(config=name, weights=int(net.count_params()), batch=b, samples=L, steps=steps, seconds=dt,
                      examples_per_s=b * steps / dt, peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
'''

def measure(name:str, steps:int)->dict:
    r = subprocess.run([sys.executable, '-c', CHILD, name, str(steps)], capture_output=True, text=True)
    if r.returncode: raise SystemExit(f'{name} failed:\n{r.stderr[-3000:]}')
    return json.loads(r.stdout.strip().splitlines()[-1])

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=6, help='timed optimiser steps per config')
    ap.add_argument('--configs', nargs='+', default=['wavevae-small', 'wavevae-paper', 'wavevae-seed'])
    args = ap.parse_args()
    print(f'{os.cpu_count()} cores; {args.steps} timed training steps per config, batches of 8 clips of 90,001 samples (30 s at 3 kHz)')
    t0 = time.time()
    res = {}
    for name in args.configs:
        r = res[name] = measure(name, args.steps)
        print(f"{name:>14}: {r['weights']:>11,} weights, {r['examples_per_s']:6.2f} training examples/s "
              f"({r['seconds'] / r['steps']:.2f} s per step of {r['batch']}), peak memory {r['peak_mb']:,.0f} MB")
    if 'wavevae-small' in res and 'wavevae-paper' in res:
        s, p = res['wavevae-small'], res['wavevae-paper']
        print(f"measured in {time.time() - t0:.0f} s")
        print(f"wavevae-small trains {s['examples_per_s'] / p['examples_per_s']:.1f}x faster than wavevae-paper on this CPU "
              f"({s['examples_per_s']:.1f} vs {p['examples_per_s']:.2f} examples/s) with {p['peak_mb'] / s['peak_mb']:.1f}x less peak memory "
              f"({s['peak_mb']:,.0f} vs {p['peak_mb']:,.0f} MB)")

if __name__ == '__main__': main()
