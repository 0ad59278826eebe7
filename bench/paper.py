"""The paper-size MusicVAE configs on this machine: how long each would take, and groovae_4bar trained at Magenta's size (issue 16).

    python bench/paper.py time                    # every Magenta-size config: seconds a training step, an epoch, the config's whole run
    python bench/paper.py train                   # on a GPU: groovae_4bar at Magenta's size for its whole budget (its epochs of GMD)
    python bench/paper.py train --minutes 120     # on a CPU: the same config for as long as the budget allows, and said so

`time` builds each network at the config's sizes and times training steps on random windows of the right shape (an LSTM's speed
does not depend on the values). A step of the 16-bar configs at their batch of 512 or 256 would take many minutes on a CPU, so a
config whose batch is larger than 64 is timed at batches 16 and 64 and its step put on the line through the two (a step costs a
fixed part, the per-time-step work of the recurrent loops, plus a part that grows with the batch): an estimate, said so in the
output, with both measured points kept. (Scaling one small batch in proportion is far off: batch 8 scaled put groovae_4bar at
111 s a step where it takes 9 s.) `--batches own` times every config at its own batch. An epoch is one pass over the Groove MIDI
Dataset's training windows for the drum configs (where ../shared/data/groove is beside the checkout, or `--data`); a run is the
config's `epochs`. The result file is written after every config; each row keeps the command, date and machine that timed it, and a run of some
configs (--configs) keeps the rows of the others, so `finished` is true once every paper config has a row.
`train` resumes an interrupted run (its folder) and, at the end, measures the model on GMD's test split.
Results: nbs/results/paper-timing.json and nbs/results/paper-<config>.json, with the machine (and its GPU) named."""
import argparse, datetime, json, math, os, platform, sys, time
from pathlib import Path

PAPER = ('groovae_4bar', 'groovae_2bar_humanize', 'groovae_2bar_tap_fixed_velocity', 'groovae_2bar_add_closed_hh', 'cat-drums_2bar_small',
         'cat-mel_2bar_small', 'cat-mel_2bar_big', 'flat-mel_16bar', 'hierdec-mel_16bar', 'flat-trio_16bar', 'hierdec-trio_16bar',
         'flat-drums-16bar-paper', 'hierdec-drums-16bar-paper')

def machine()->dict:
    import tensorflow as tf
    gpus = tf.config.list_physical_devices('GPU')
    names = [tf.config.experimental.get_device_details(g).get('device_name', g.name) for g in gpus]
    return dict(platform=platform.platform(), processor=platform.processor() or platform.machine(), cores=os.cpu_count(), gpus=names,
                load=round(os.getloadavg()[0], 2))

def batch_of(cfg, conv, b:int, rng):
    "Random training windows of the config's shape: groove floats, drum categories, or one-hot part labels"
    import numpy as np
    hp = cfg.hparams
    if hp['kind'] == 'groove': return (rng.random((b, conv.steps, 27)) < 0.1).astype('float32')
    if hp['kind'] == 'categorical': return rng.integers(0, 512, (b, conv.steps)).astype('int32')
    parts, steps = hp['parts'], 16 * hp['bars']
    y = np.stack([rng.integers(0, n, (b, steps)) for n in parts], -1).astype('int32')
    return y[..., 0] if len(parts) == 1 else y

def time_config(name:str, batches, steps:int, gmd_train=None)->dict:
    "Seconds a training step at the config's batch (timed there, or at two smaller batches and put on a line); an epoch (GMD configs) and the config's run"
    import keras, numpy as np, tensorflow as tf
    from musiclab.core import get_config
    from musiclab.models.musicvae import MagentaDecay, build_net, converter_for
    cfg = get_config(name); hp = cfg.hparams; B = hp['batch_size']
    conv = converter_for(cfg) if hp['kind'] != 'onehot' else type('C', (), {'steps': 16 * hp['bars']})()
    net = build_net(cfg); net.compile(keras.optimizers.Adam(MagentaDecay(), global_clipnorm=1.0))
    def timed(b):
        y = tf.constant(batch_of(cfg, conv, b, np.random.default_rng(0)))
        step = tf.function(net.train_step); step((y, y))   # traced and warmed up at this shape
        t = time.perf_counter()
        for _ in range(steps): logs = step((y, y))
        float(logs['loss'])
        return (time.perf_counter() - t) / steps
    sizes = [b for b in batches if b < B][:2]
    sizes = sizes if len(sizes) == 2 else [B]
    times = {b: round(timed(b), 3) for b in sizes}
    if sizes == [B]: s = times[B]
    else:   # a step: a fixed part (the recurrent loops' per-time-step work) + a part per example; the line through the two points
        (b1, t1), (b2, t2) = times.items()
        s = t2 + max(0.0, (t2 - t1) / (b2 - b1)) * (B - b2)
    out = dict(config=name, weights=net.count_params(), batch=B, timed={str(b): t for b, t in times.items()}, seconds_a_step=round(s, 3), epochs=hp['epochs'])
    if gmd_train is not None and hp['kind'] != 'onehot':
        windows = len(conv.encode_many(gmd_train))
        out.update(gmd_train_windows=windows, seconds_an_epoch=round(s * math.ceil(windows / B), 1))
        out['hours_whole_run'] = round(out['seconds_an_epoch'] * hp['epochs'] / 3600, 1)
    return out

def cmd_time(args, root):
    from musiclab.core import shared_data, atomic_write, provenance, portable
    from musiclab.drums import load_drums
    gmd = shared_data('groove')
    spec = args.data or (f'gmd:{gmd}' if gmd else None)   # the drum windows an epoch passes over
    train = load_drums(spec).split('train') if spec else None
    what = args.data or 'GMD'
    batches = [int(b) for b in args.batches.split(',') if b] if args.batches != 'own' else []
    names = args.configs.split(',')
    command = ('python bench/paper.py time' + ('' if names == list(PAPER) else f' --configs {args.configs}')
               + ('' if args.batches == '16,64' else f' --batches {args.batches}') + (f' --data {args.data}' if args.data else ''))
    keep = Path(args.results or root/'nbs'/'results')/'paper-timing.json'
    old = json.loads(keep.read_text()) if keep.exists() and not args.no_keep else {}
    before = {r['config']: {**{k: old.get(k) for k in ('command', 'date', 'machine', 'commit') if old.get(k) is not None}, **r}
              for r in old.get('rows', []) if r['config'] not in names}   # configs not timed now keep their rows, each with the run that timed it
    stamp = dict(command=portable(command), date=datetime.date.today().isoformat(), machine=machine(), **provenance())
    rows = []
    for name in names:
        r = {**time_config(name, batches, args.steps, train), **stamp}; rows.append(r)
        run = f", an epoch of {what} {r['seconds_an_epoch'] / 60:.1f} min, the config's {r['epochs']} epochs {r['hours_whole_run']:,.1f} h" if 'seconds_an_epoch' in r else ''
        how = ('timed at that batch' if list(r['timed']) == [str(r['batch'])] else
               'on the line through ' + ' and '.join(f'{t:.2f} s at {b}' for b, t in r['timed'].items()))
        print(f"{name:28s} {r['weights']:>12,} weights, batch {r['batch']}: {r['seconds_a_step']:8.2f} s a step ({how}){run}", flush=True)
        every = {**before, **{x['config']: x for x in rows}}
        order = [c for c in PAPER if c in every] + [c for c in every if c not in PAPER]
        kept = dict(command=portable(command), data=portable(spec) if spec else None, date=stamp['date'], finished=set(PAPER) <= set(every),
                    **provenance(), machine=stamp['machine'], rows=[every[c] for c in order])   # written after every config: a long run that is stopped keeps what it timed
        if not args.no_keep: atomic_write(keep, json.dumps(kept, indent=1))
    big = max((r for r in rows if 'hours_whole_run' in r), key=lambda r: r['weights'], default=None)
    if big: print(f"largest with an epoch of {what}: {big['config']} would train its whole run in {big['hours_whole_run']:,.1f} hours on this machine")

class StopAfter:
    "A Keras callback that stops training when a run (over all its resumptions) has trained `seconds`; spent time kept in FOLDER/spent.json"
    def __new__(cls, folder, seconds):
        import keras
        class _Stop(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                f = Path(folder)/'spent.json'; self.before = json.loads(f.read_text())['seconds'] if f.exists() else 0.0; self.t0 = time.time()
            def spent(self): return self.before + time.time() - self.t0
            def on_train_batch_end(self, batch, logs=None):
                if self.spent() >= seconds: self.model.stop_training = True
            def on_epoch_end(self, epoch, logs=None):
                Path(folder).mkdir(parents=True, exist_ok=True); (Path(folder)/'spent.json').write_text(json.dumps({'seconds': self.spent()}))
        return _Stop()

def cmd_train(args, root):
    from musiclab.core import shared_data, atomic_write, get_config, provenance, set_threads
    set_threads(args.threads)   # before musiclab's models run anything in TensorFlow
    from musiclab.drums import load_drums
    from musiclab.models.musicvae import MusicVAE
    m = machine()
    if args.threads: m['threads'] = args.threads
    if not m['gpus'] and not args.minutes:
        print(f'no GPU on this machine ({m["cores"]} CPU cores): a whole run of {args.config} is for a GPU (see `python bench/paper.py time` for how long it would '
              f'take here); pass --minutes M to train it for a time budget on this CPU instead'); return 0
    gmd = shared_data('groove')
    if gmd is None: print('skipped: the Groove MIDI Dataset is not at ../shared/data/groove'); return 0
    data = load_drums(f'gmd:{gmd}')
    run, model = Path(args.run or f'runs/paper/{args.config}'), MusicVAE(get_config(args.config))
    cbs = [StopAfter(run, args.minutes * 60)] if args.minutes else []
    t0 = time.time()
    model.fit(data, data, out=run, callbacks=cbs, verbose=2)
    ev = model.evaluate(data.split('test'))
    kept = dict(command='python bench/paper.py train' + (f' --config {args.config}' if args.config != 'groovae_4bar' else '') + (f' --minutes {args.minutes:g}' if args.minutes else '')
                        + (f' --threads {args.threads}' if args.threads else ''),
                date=datetime.date.today().isoformat(), **provenance(), machine=m, config=args.config,
                budget='the config\'s whole run' if not args.minutes else f'{args.minutes} minutes of training (not the whole run: said so)',
                epochs=len(model.history), steps=int(model.nets['musicvae'].optimizer.iterations), batch=model.hp['batch_size'],
                seconds_training=round(json.loads((run/'spent.json').read_text())['seconds']) if (run/'spent.json').exists() else None,
                seconds_this_call=round(time.time() - t0), history=list(model.history), test=ev, **({'note': args.note} if args.note else {}))
    atomic_write(root/'nbs'/'results'/f'paper-{args.config}.json', json.dumps(kept, indent=1))
    print(json.dumps(kept, indent=1))

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = ap.add_subparsers(dest='cmd', required=True)
    t = sub.add_parser('time'); t.add_argument('--configs', default=','.join(PAPER))
    t.add_argument('--batches', default='16,64', help="time at these two batches and extrapolate on a line where the config's batch is larger; 'own': at the config's batch")
    t.add_argument('--steps', type=int, default=1); t.add_argument('--no-keep', action='store_true', help='print only (for tests)')
    t.add_argument('--results', help='the folder of paper-timing.json (default: nbs/results of the checkout)')
    t.add_argument('--data', help="drum data whose training split an epoch passes over (default: the Groove MIDI Dataset at ../shared/data/groove)")
    r = sub.add_parser('train'); r.add_argument('--config', default='groovae_4bar'); r.add_argument('--minutes', type=float)
    r.add_argument('--run', help='the run folder (default runs/paper/CONFIG); an interrupted run resumes')
    r.add_argument('--threads', type=int, help='TensorFlow threads (default: all cores); 1 leaves a core to a study beside it')
    r.add_argument('--note', help='what the kept result should say about the run, e.g. what else the machine was doing')
    args = ap.parse_args(argv)
    from musiclab.core import repo_root
    return (cmd_time if args.cmd == 'time' else cmd_train)(args, repo_root() or Path.cwd()) or 0

if __name__ == '__main__': sys.exit(main())
