"""Training speed and peak memory of the spectrogram VAE: specvae-small (128x128) against specvae-paper (the seed's
512x512 network, ~88M weights), side by side in one run on this machine, batches of 16.

Each config trains in a subprocess of its own (so that its peak memory, the max RSS of that process, is its own) on
random images in [0, 1] of its own size (the speed of a convolution does not depend on what it convolves). The first
step (tracing, memory allocation) is not timed; then --steps optimiser steps are, through Keras' `fit`, with the model's
own train_step (Bernoulli likelihood, 3-sample KL against the mixture prior). specvae-paper runs twice: as configured (the
decoder's unnormalised steps recomputed in 8 slices of the batch in the backward pass, `recompute_chunks`, 14_specvae) and
without that (`specvae-paper:recompute_chunks=0`), for issue 18's goal of a peak under 4 GiB at batch 16; and a third time
with TensorFlow's oneDNN kernels (`specvae-paper+onednn`: TF_ENABLE_ONEDNN_OPTS=1 in its process; TensorFlow turns them on
by itself only on CPUs with AVX-512 VNNI or newer). Since 2026-12-02 `musiclab train` trains the spectrogram VAE with oneDNN's kernels
(musiclab.configs.ONEDNN_MODELS), so every config here runs with them unless its name ends in `+default`: TensorFlow's own kernels
for this CPU (`specvae-paper+default`, the comparison). TensorFlow's memory profile showed what sets the peak with its default
kernels: the last convolution's backward pass makes a 576 MB im2col buffer an image, two at once (bench/README.md); oneDNN's
convolution gradients need no such buffer. Beside each peak, what the process must hold, worked out from the shapes:
weights, Adam's moments, gradients, the layers' outputs.

Run: python bench/specvae.py [--steps 2] [--configs specvae-small specvae-paper specvae-paper+default specvae-paper:recompute_chunks=0]
"""
import argparse, json, os, subprocess, sys, time

CHILD = r'''
import json, resource, sys, time
import numpy as np
from musiclab.core import get_config, set_seed
from musiclab.models.specvae import SpecVAEModel
spec, steps, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
name, _, extra = spec.split('+')[0].partition(':')   # 'specvae-paper:recompute_chunks=0': a setting changed; '+default': TensorFlow's own kernels
over = {k: int(v) for k, v in (kv.split('=') for kv in extra.split(',') if kv)}
cfg = get_config(name, batch_size=batch, **over)
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
def mb(n): return round(4 * n / 2 ** 20, 1)
outs = sorted(((int(np.prod(l.output.shape[1:])) * batch, f'{m.name}/{l.name}') for m in (net.encoder, net.decoder) for l in m.layers[1:]), reverse=True)
trainable = sum(int(np.prod(v.shape)) for v in net.trainable_variables)
parts = dict(weights_mb=mb(net.count_params()), adam_state_mb=mb(2 * trainable), gradients_mb=mb(trainable),
             layer_outputs_mb=mb(sum(n for n, _ in outs)), largest_outputs=[(k, mb(n)) for n, k in outs[:4]])
from tensorflow.python.util import _pywrap_util_port
print(json.dumps(dict(config=spec, recompute_chunks=cfg['recompute_chunks'], onednn=bool(_pywrap_util_port.IsMklEnabled()), **parts, weights=int(net.count_params()), batch=batch, shape=[h, w], steps=steps, seconds=dt,
                      examples_per_s=batch * steps / dt, peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
'''

def measure(name:str, steps:int, batch:int)->dict:
    from musiclab.configs import ONEDNN_MODELS
    musiclabs = '1' if 'specvae' in ONEDNN_MODELS else os.environ.get('TF_ENABLE_ONEDNN_OPTS', '0')   # the kernels `musiclab train` chooses
    env = {**os.environ, 'TF_ENABLE_ONEDNN_OPTS': '0' if name.endswith('+default') else musiclabs}
    r = subprocess.run([sys.executable, '-c', CHILD, name, str(steps), str(batch)], capture_output=True, text=True, env=env)
    if r.returncode: raise SystemExit(f'{name} failed:\n{r.stderr[-3000:]}')
    return json.loads(r.stdout.strip().splitlines()[-1])

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=2, help='timed optimiser steps per config')
    ap.add_argument('--batch', type=int, default=16, help='images per step (both configs)')
    ap.add_argument('--configs', nargs='+', default=['specvae-small', 'specvae-paper', 'specvae-paper+default', 'specvae-paper:recompute_chunks=0'],
                    help="config names; NAME:KEY=N changes an integer setting (the default's last: the paper config without recomputation); NAME+default: with TensorFlow's own kernels")
    args = ap.parse_args()
    print(f'{os.cpu_count()} cores; {args.steps} timed training steps per config, batches of {args.batch} spectrograms')
    t0 = time.time()
    res = {}
    for name in args.configs:
        r = res[name] = measure(name, args.steps, args.batch)
        print(f"{name:>14}: {r['shape'][0]}x{r['shape'][1]}, {r['weights']:>11,} weights, {r['examples_per_s']:7.2f} training examples/s "
              f"({r['seconds'] / r['steps']:.2f} s per step of {r['batch']}), peak memory {r['peak_mb']:,.0f} MB")
        print(f"{'':>14}  recompute_chunks {r['recompute_chunks']}, oneDNN {'on' if r['onednn'] else 'off'}; what it holds, worked out from the shapes: weights {r['weights_mb']:,} MB, "
              f"Adam's two moments {r['adam_state_mb']:,} MB, gradients {r['gradients_mb']:,} MB, every layer's output at this batch "
              f"{r['layer_outputs_mb']:,} MB (largest: {', '.join(f'{k} {v:,} MB' for k, v in r['largest_outputs'])})")
    print(f'measured in {time.time() - t0:.0f} s')
    if 'specvae-paper' in res and 'specvae-paper:recompute_chunks=0' in res:
        a, b = res['specvae-paper'], res['specvae-paper:recompute_chunks=0']
        print(f"specvae-paper peak memory {a['peak_mb']:,.0f} MB ({a['peak_mb'] / 1024:.2f} GiB) with the decoder's tail recomputed in "
              f"{a['recompute_chunks']} slices, {b['peak_mb']:,.0f} MB without: {b['peak_mb'] / a['peak_mb']:.2f}x less; a step takes "
              f"{b['examples_per_s'] / a['examples_per_s']:.2f}x as long as without (it runs one more forward pass of the recomputed layers, and moves far less memory: either may win)")
    if 'specvae-small' in res and 'specvae-paper' in res:
        s, p = res['specvae-small'], res['specvae-paper']
        print(f"specvae-small trains {s['examples_per_s'] / p['examples_per_s']:.1f}x faster than specvae-paper on this CPU "
              f"({s['examples_per_s']:.1f} vs {p['examples_per_s']:.2f} examples/s) with {p['peak_mb'] / s['peak_mb']:.1f}x less peak memory "
              f"({s['peak_mb']:,.0f} vs {p['peak_mb']:,.0f} MB)")
    if 'specvae-paper' in res and 'specvae-paper+default' in res:
        o, a = res['specvae-paper'], res['specvae-paper+default']
        print(f"specvae-paper at batch {o['batch']}: peak memory {o['peak_mb']:,.0f} MB ({o['peak_mb'] / 1024:.2f} GiB) with oneDNN's kernels, "
              f"{a['peak_mb']:,.0f} MB ({a['peak_mb'] / 1024:.2f} GiB) with TensorFlow's default ones (oneDNN {'on' if a['onednn'] else 'off'}); "
              f"a step {a['examples_per_s'] / o['examples_per_s']:.2f}x as long with oneDNN")

if __name__ == '__main__': main()
