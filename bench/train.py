"""Training efficiency of every model family, as a roofline table (issue 18, item 1).

For each config (default: every family's small config, and groovae-4bar at Magenta's size) and each network it trains (the LSTM
and fusion models train one a clef):
- training examples a second: Keras' own `fit` on the model's own input pipeline (its data, its batch), timed over `--steps`
  steps (in `--repeats` fits of steps / repeats each, the fastest counting, as the matrix product counts its best) after a warm-up that traces the step (the optimizer is built first, `build_train_state`, as `Model.fit` does);
- the FLOPs one step performs, counted from the layer shapes (`musiclab.train.step_flops`, 06_train: 2 per multiply-add of every
  dense, recurrent and convolutional layer call of one eager step, times 3 for forward + backward; activations, normalisation,
  the loss and the optimizer's update are left out, so the count is a slight underestimate);
- the FLOP/s that gives, and that divided by the FLOP/s of a 2048 x 2048 float32 matrix product timed in the same run: the
  machine's practical limit for this kind of arithmetic (efficiency 1.0 would be a step as dense as one big matrix product);
- the input pipeline's share: the same number of batches drawn from the pipeline alone, against the steps' time (`fit` draws
  them beside the step, so a share well under 1 means the model never waits for data).

Run: python bench/train.py [--configs lstm-small ...] [--steps 10] [--repeats 2] [--data CONFIG=SPEC ...] [--threads N] [--between N] [--onednn] [--jit]
(`--between 1`: one thread between operations, as `musiclab train` sets it for the audio VAEs (`Model.threads_between_ops`); run
both ways to see what it buys each family; the same for `--onednn`, TensorFlow's oneDNN kernels, which `musiclab train` uses for
the families in musiclab.configs.ONEDNN_MODELS.)
The data is each config's own (the music21 corpus; music21 pieces rendered to audio); the drum configs read the Groove MIDI
Dataset at ../shared/data/groove and, where it is absent, a made-up drum folder of the same shapes (said so: a step's speed
does not depend on the notes). The last line is the headline; `@@json` lines carry the rows for bench/run.py.
"""
import argparse, json, os, sys, tempfile, time
from pathlib import Path

CONFIGS = ('lstm-small', 'fusion-small', 'groovae-4bar-small', 'wavevae-small', 'specvae-small', 'groovae-4bar')

def matmul_flops(n:int=2048, repeats:int=10)->float:
    "FLOP/s of an n x n float32 matrix product (the best of `repeats`, after a warm-up)"
    import tensorflow as tf
    a = tf.random.normal((n, n)); b = tf.random.normal((n, n))
    (a @ b).numpy()
    best = min(_timed(lambda: (a @ b).numpy()) for _ in range(repeats))
    return 2 * n ** 3 / best

def _timed(f):
    t = time.perf_counter(); f(); return time.perf_counter() - t

def training_data(model, spec:str|None, tmp:Path)->tuple:
    "(training items, what they are): the config's data, or a made-up drum folder where the drum data is absent"
    from musiclab.core import DataError
    from musiclab.experiment import heldout
    try: return heldout(model, spec)[0], spec or model.config.data
    except DataError as e:
        if model.config.model != 'musicvae' or spec: raise
        from musiclab.drums import _fake_gmd
        gmd = _fake_gmd(tmp/'gmd', n=12, bars=12)
        print(f'  ({e.problem if hasattr(e, "problem") else e}: a made-up drum folder of the same shapes instead)', flush=True)
        return heldout(model, f'gmd:{gmd}')[0], 'a made-up drum folder'

def measure(name:str, steps:int, spec:str|None=None, jit:bool=False, repeats:int=2)->list[dict]:
    "One row a network of config `name`: examples/s, FLOPs a step, FLOP/s, the input pipeline's time"
    import tensorflow as tf
    from musiclab.core import get_config
    from musiclab.train import build_train_state, distribute, get_strategy, step_flops
    cfg = get_config(name)
    model = cfg.model_class()(cfg)
    with tempfile.TemporaryDirectory() as tmp:
        train, what = training_data(model, spec, Path(tmp))
        strategy, rows = get_strategy(), []
        data = model.prepare(train, (), 0)
        for part in model.parts:
            net, job = model.build(part, strategy), model.job(part, data, strategy)
            if jit: net.jit_compile = True   # XLA compiles the whole train step (before the step is first traced)
            batch = job.batch_size or model.hp['batch_size']
            ds = distribute(job.make, strategy, batch, job.total)[0].repeat().rebatch(batch, drop_remainder=True)   # full batches only: an epoch's short last one would be counted as a whole batch of examples and of FLOPs
            build_train_state(net, strategy, ds)
            it = iter(ds)
            t = time.perf_counter()
            for _ in range(steps): next(it)
            data_s = time.perf_counter() - t
            flops = step_flops(net, next(it))
            net.fit(ds, steps_per_epoch=2, epochs=1, verbose=0, shuffle=False)                 # traces the step
            # the steps in `repeats` fits, the fastest counting for all: as the matrix product's best of 10 (on a shared machine a stall only adds time)
            k = max(1, steps // repeats)
            secs = min(_timed(lambda: net.fit(ds, steps_per_epoch=k, epochs=1, verbose=0, shuffle=False)) for _ in range(max(1, steps // k))) * steps / k
            fwd = sum(flops['forward'].values()) or 1
            rows.append(dict(config=name, part=part, data=what, weights=int(net.count_params()), batch=batch, steps=steps,
                             step_seconds=secs / steps, examples_per_s=batch * steps / secs, step_gflop=flops['flops'] / 1e9,
                             gflops=flops['flops'] * steps / secs / 1e9, forward_share={k: round(v / fwd, 3) for k, v in flops['forward'].items()},
                             pipeline_share=data_s / secs))
            del net
    return rows

def table(rows:list[dict], peak:float)->str:
    "The roofline table, one line a network"
    head = f"{'config':>20} {'network':>9} {'weights':>10} {'batch':>5} {'examples/s':>10} {'GFLOP/step':>10} {'GFLOP/s':>8} {'efficiency':>10} {'data/step':>9}  forward FLOPs by kind"
    lines = [head]
    for r in rows:
        kinds = ', '.join(f'{k} {v:.0%}' for k, v in sorted(r['forward_share'].items(), key=lambda kv: -kv[1]))
        lines.append(f"{r['config']:>20} {r['part']:>9} {r['weights']:>10,} {r['batch']:>5} {r['examples_per_s']:>10.1f} {r['step_gflop']:>10.3f} "
                     f"{r['gflops']:>8.1f} {r['gflops'] * 1e9 / peak:>10.2f} {r['pipeline_share']:>9.0%}  {kinds}")
    return '\n'.join(lines)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument('--configs', nargs='+', default=list(CONFIGS))
    ap.add_argument('--steps', type=int, default=10, help='timed training steps a network (after 2 that trace the step)')
    ap.add_argument('--repeats', type=int, default=2, help='the timed steps in this many runs of --steps / repeats, the fastest counting (default 2)')
    ap.add_argument('--data', nargs='*', default=[], help='CONFIG=SPEC: other data for a config')
    ap.add_argument('--threads', type=int, help='TensorFlow threads (default: all cores)')
    ap.add_argument('--between', type=int, help='TensorFlow threads between operations (default: as --threads, or all cores)')
    ap.add_argument('--jit', action='store_true', help='XLA compilation of the train step (jit_compile=True on every network)')
    ap.add_argument('--onednn', action='store_true', help="oneDNN's kernels, as `musiclab train` uses them for musiclab.configs.ONEDNN_MODELS (default: TensorFlow's choice for this CPU)")
    args = ap.parse_args(argv)
    from musiclab.core import set_threads, use_onednn
    if args.onednn and not use_onednn(): ap.error('TF_ENABLE_ONEDNN_OPTS is set to off in this shell')   # before set_threads imports TensorFlow
    set_threads(args.threads, args.between)
    specs = dict(kv.split('=', 1) for kv in args.data)
    peak = matmul_flops()
    import tensorflow as tf
    threads = dict(within=tf.config.threading.get_intra_op_parallelism_threads(), between=tf.config.threading.get_inter_op_parallelism_threads(),   # 0: TensorFlow's default
                   onednn=os.environ.get('TF_ENABLE_ONEDNN_OPTS'))   # '1': oneDNN's kernels asked for; None: TensorFlow's default for this CPU
    print(f'{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; float32 matrix product (2048 x 2048): {peak / 1e9:.1f} GFLOP/s; '
          f"TensorFlow threads within ops {threads['within'] or 'default'}, between ops {threads['between'] or 'default'}; "
          f"kernels {'oneDNN' if args.onednn else 'default'}{'; XLA (jit_compile)' if args.jit else ''}", flush=True)
    rows = []
    for name in args.configs:
        rows += measure(name, args.steps, specs.get(name), args.jit, args.repeats)
        done = ', '.join(f"{r['part']} {r['examples_per_s']:.1f} examples/s" for r in rows if r['config'] == name)
        print(f'{name}: measured ({done})', flush=True)
    print(table(rows, peak))
    print('@@json ' + json.dumps(dict(matmul_gflops=peak / 1e9, threads=threads, rows=rows)))
    best = max(rows, key=lambda r: r['gflops']); worst = min(rows, key=lambda r: r['gflops'])
    lead = next((r for r in rows if r['config'] == 'lstm-small'), rows[0])
    print(f"{lead['config']} ({lead['part']}) trains at {lead['gflops'] * 1e9 / peak:.2f} of the matrix product's FLOP/s; "
          f"highest {best['config']} {best['gflops'] * 1e9 / peak:.2f}, lowest {worst['config']} {worst['gflops'] * 1e9 / peak:.2f}")

if __name__ == '__main__': sys.exit(main())
