"""Batch size for lstm-small: speed against what is learned (issue 18, item 2).

A bigger batch keeps the two cores busier (the recurrent products of one step grow from 32 x 128 rows to many more), but a step
then sees more examples and the model takes fewer steps in an epoch. This trains `lstm-small` on its own data and split (the
music21 piano pieces, `model.split`, as `musiclab train` does) with each ARM (batch size and learning rate) and each seed, for a
fixed number of epochs (early stopping off: every arm sees the same training windows, the same number of times), and keeps every
epoch's validation loss per clef, so the curves can be laid side by side *by examples seen*, and the wall time of each run.

Run: python bench/lstm_batch.py [--arms 32:1e-3 256:2.8e-3 ...] [--seeds 0 1 2] [--epochs 30] [--out nbs/results/lstm-batch.json]
(about 30 min on 2 cores for the default arms; a run already in the kept file is not repeated. `bench/run.py` runs it only with --long lstm_batch.)
The kept result (`nbs/results/lstm-batch.json`) is what 10_lstm plots and reads its sentences from.
"""
import argparse, json, sys, tempfile, time
from datetime import datetime, timezone
from pathlib import Path

def run(batch:int, lr:float, seed:int, epochs:int, data:tuple, config:str='lstm-small')->dict:
    "One run on `data` (train, valid): the validation loss per clef after every epoch, the best of each, the wall time"
    from musiclab.core import get_config
    cfg = get_config(config, batch_size=batch, lr=lr, seed=seed, epochs=epochs, patience=epochs + 1)
    model = cfg.model_class()(cfg)
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp: model.fit(*data, out=tmp, verbose=0)
    secs = time.time() - t0
    curves = {part: [r['val_loss'] for r in model.history.of(part)] for part in model.parts}
    return dict(batch=batch, lr=lr, seed=seed, epochs=epochs, seconds=round(secs, 1), val_loss=curves,
                best=sum(min(c) for c in curves.values()), last=sum(c[-1] for c in curves.values()))

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument('--arms', nargs='+', default=['32:1e-3', '256:1e-3', '256:2.8e-3', '256:5e-3'], help='BATCH:LR')
    ap.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    ap.add_argument('--epochs', type=int, default=30)
    ap.add_argument('--config', default='lstm-small')
    ap.add_argument('--out', default=str(Path(__file__).resolve().parents[1]/'nbs'/'results'/'lstm-batch.json'))
    args = ap.parse_args(argv)
    from musiclab.core import atomic_write, get_config, provenance, set_threads
    from musiclab.experiment import _machine
    set_threads()
    base = get_config(args.config); model = base.model_class()(base)
    data = model.split(model.load_data(base.data))   # the config's own split (its seed), the same for every run whatever the run's seed
    out = Path(args.out)
    old = json.loads(out.read_text()) if out.exists() else {}
    runs = [r for r in old.get('runs', []) if old.get('epochs') == args.epochs and old.get('config') == args.config]
    for arm in args.arms:
        b, lr = arm.split(':'); b, lr = int(b), float(lr)
        for s in args.seeds:
            if any(r['batch'] == b and r['lr'] == lr and r['seed'] == s for r in runs): continue
            r = run(b, lr, s, args.epochs, data, args.config); runs.append(r)
            print(f"batch {b:>4} lr {lr:g} seed {s}: best val loss (both clefs) {r['best']:.3f}, last {r['last']:.3f}, {r['seconds']:.0f} s", flush=True)
            atomic_write(out, json.dumps(dict(provenance(), command=' '.join(['python bench/lstm_batch.py', *(argv if argv is not None else sys.argv[1:])]),
                                              date=datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC'), machine=_machine(), config=args.config,
                                              epochs=args.epochs, runs=runs), indent=1) + '\n')

if __name__ == '__main__': sys.exit(main())
