"""Training speed of MusicVAE / GrooVAE on this machine: steps per second of each drum config, side by side in one run.

Each config trains for a few warm-up steps (tracing the graph), then `--steps` timed steps at its own batch size, on
real windows of the Groove MIDI Dataset when `../shared/data/groove` is beside the project (else on random windows of
the same shape; the speed of an LSTM does not depend on the values). The figures are the time of `train_step`
(forward, backward, Adam update) without data loading. The last line is the headline: groovae-4bar (the seed's system,
Magenta's sizes, batch 512) in training steps per second.

Run: python bench/musicvae.py [--steps 5] [--configs groovae-4bar,groovae-4bar-small,...]
"""
import argparse, os, time
import numpy as np

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=5, help='timed training steps per config')
    ap.add_argument('--configs', default='groovae-4bar,groovae-4bar-small,cat-drums-2bar-small,flat-drums-16bar,hierdec-drums-16bar')
    args = ap.parse_args()
    import keras, tensorflow as tf
    from musiclab.core import get_config, shared_data
    from musiclab.drums import load_drums
    from musiclab.models.musicvae import MusicVAE, MagentaDecay, build_net, converter_for
    gmd = shared_data('groove')
    files = load_drums(f'gmd:{gmd}').split('train') if gmd else None
    print(f"{os.cpu_count()} cores; data: {'GMD train split' if files else 'random windows (../shared/data/groove is absent)'}; "
          f"{args.steps} timed steps per config after 2 warm-up steps")
    res = {}
    for name in args.configs.split(','):
        cfg = get_config(name)
        hp, conv = cfg.hparams, converter_for(cfg)
        bs, rng = hp['batch_size'], np.random.default_rng(0)
        if files:
            y = conv.encode_many(files[:200]).outputs
            y = y[rng.choice(len(y), bs, replace=len(y) < bs)]
        elif hp['kind'] == 'groove': y = (rng.random((bs, conv.steps, 27)) < 0.1).astype(np.float32)
        else: y = rng.integers(0, 512, (bs, conv.steps)).astype(np.int16)
        net = build_net(cfg)
        net.compile(keras.optimizers.Adam(MagentaDecay(), global_clipnorm=1.0))
        step = tf.function(net.train_step)
        data = (tf.constant(y), tf.constant(y))
        for _ in range(2): step(data)
        t = time.perf_counter()
        for _ in range(args.steps): logs = step(data)
        float(logs['loss'])
        dt = (time.perf_counter() - t) / args.steps
        res[name] = (1 / dt, bs / dt)
        print(f'{name:24s} {net.count_params():>11,} weights  batch {bs:3d} x {conv.steps:3d} steps: {1 / dt:6.3f} training steps/s = {bs / dt:7.1f} windows/s')
    if 'groovae-4bar' in res:
        base = res['groovae-4bar'][1]
        for name, (sps, wps) in res.items():
            if name != 'groovae-4bar': print(f'{name} trains {wps / base:.2f}x the windows per second of groovae-4bar')
        sps, wps = res['groovae-4bar']
        print(f'groovae-4bar (Magenta size, batch 512) trains at {sps:.3f} steps/s ({wps:.0f} windows/s, {1 / sps:.1f} s a step) on {os.cpu_count()} CPU cores')

if __name__ == '__main__': main()
