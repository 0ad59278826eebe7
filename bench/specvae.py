"""Training speed and peak memory of the spectrogram VAE: specvae-small (128x128) against specvae-paper (the seed's
512x512 network, ~88M weights), side by side in one run on this machine, batches of 16.

Each config trains in a subprocess of its own (so that its peak memory, the max RSS of that process, is its own) on
random images in [0, 1] of its own size (the speed of a convolution does not depend on what it convolves). The first
step (tracing, memory allocation) is not timed; then --steps optimiser steps are, through Keras' `fit`, with the model's
own train_step (Bernoulli likelihood, 3-sample KL against the mixture prior).

Run: python bench/specvae.py [--steps 3] [--configs specvae-small specvae-paper]
"""
import argparse, json, os, subprocess, sys, time

CHILD = r'''
import json, resource, sys, time
import numpy as np
from musiclab.core import get_config, set_seed
from musiclab.models.specvae import SpecVAEModel
name, steps, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cfg = get_config(name, batch_size=batch)
set_seed(0)
import tensorflow as tf
net = SpecVAEModel(cfg).build('vae', tf.distribute.get_strategy())
h, w = cfg['bins'], cfg['frames']
x = np.random.default_rng(0).uniform(size=(batch * (steps + 1), h, w, 1)).astype('float32')
warm = tf.data.Dataset.from_tensor_slices(x[:batch]).batch(batch)
timed = tf.data.Dataset.from_tensor_slices(x[batch:]).batch(batch).cache()
for _ in timed: pass
net.fit(warm, epochs=1, verbose=0)
t = time.perf_counter(); net.fit(timed, epochs=1, verbose=0); dt = time.perf_counter() - t
print(json.dumps(dict(config=name, weights=int(net.count_params()), batch=batch, shape=[h, w], steps=steps, seconds=dt,
                      examples_per_s=batch * steps / dt, peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
'''

def measure(name:str, steps:int, batch:int)->dict:
    r = subprocess.run([sys.executable, '-c', CHILD, name, str(steps), str(batch)], capture_output=True, text=True)
    if r.returncode: raise SystemExit(f'{name} failed:\n{r.stderr[-3000:]}')
    return json.loads(r.stdout.strip().splitlines()[-1])

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=3, help='timed optimiser steps per config')
    ap.add_argument('--batch', type=int, default=16, help='images per step (both configs)')
    ap.add_argument('--configs', nargs='+', default=['specvae-small', 'specvae-paper'])
    args = ap.parse_args()
    print(f'{os.cpu_count()} cores; {args.steps} timed training steps per config, batches of {args.batch} spectrograms')
    t0 = time.time()
    res = {}
    for name in args.configs:
        r = res[name] = measure(name, args.steps, args.batch)
        print(f"{name:>14}: {r['shape'][0]}x{r['shape'][1]}, {r['weights']:>11,} weights, {r['examples_per_s']:7.2f} training examples/s "
              f"({r['seconds'] / r['steps']:.2f} s per step of {r['batch']}), peak memory {r['peak_mb']:,.0f} MB")
    print(f'measured in {time.time() - t0:.0f} s')
    if 'specvae-small' in res and 'specvae-paper' in res:
        s, p = res['specvae-small'], res['specvae-paper']
        print(f"specvae-small trains {s['examples_per_s'] / p['examples_per_s']:.1f}x faster than specvae-paper on this CPU "
              f"({s['examples_per_s']:.1f} vs {p['examples_per_s']:.2f} examples/s) with {p['peak_mb'] / s['peak_mb']:.1f}x less peak memory "
              f"({s['peak_mb']:,.0f} vs {p['peak_mb']:,.0f} MB)")

if __name__ == '__main__': main()
