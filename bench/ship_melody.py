"""Train the folk-tune melody model that musiclab ships, measure it on tunes it never saw, and keep both (issue 15).

cat-mel_2bar_small-small (Magenta's cat-mel_2bar_small structure at CPU size) learns 2-bar melodies from m21-folk, the Essen folk
songs that install with music21. The tunes are split by name: 1 in 10 held out for the test (`MusicVAE.split`), and 1 in 10 of the
rest for validation. The test windows are measured with `MusicVAE.evaluate`; two held-out tunes are kept in the checkpoint as
`examples` (what `musiclab demo` interpolates between).

Run from the project root:  python bench/ship_melody.py [--config cat-mel_2bar_small-small] [--run runs/melody]
Writes musiclab/assets/<config>/ (musiclab.json, musicvae.keras) and nbs/results/melody.json.
"""
import argparse, datetime, json, os, platform, sys, time
from pathlib import Path
from musiclab.core import atomic_write, get_config, portable, provenance, repo_root, split_by_name

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--config', default='cat-mel_2bar_small-small')
    ap.add_argument('--run', default='runs/melody', help='the training run folder (resumes if interrupted)')
    ap.add_argument('--data', help="a data spec (default: the config's, m21-folk)")
    args = ap.parse_args(argv)
    from musiclab.models.musicvae import MusicVAE
    root, cfg = repo_root(), get_config(args.config)
    m = MusicVAE(cfg)
    data = m.load_data(args.data)
    rest, test = m.split(data)
    train, valid = split_by_name(rest, 0.1, cfg['seed'] + 1)
    resumed = (Path(args.run)/'musiclab.json').exists()   # a finished run in that folder: fit only loads it
    t0 = time.time()
    m.fit(train, valid, out=args.run, verbose=2)
    secs = None if resumed else round(time.time() - t0, 1)
    et, ev = m.encode_data(train), m.encode_data(test)
    res = m.evaluate(ev, limit=4000)
    firsts = {}
    for i, (name, k) in enumerate(ev.rows): firsts.setdefault(name, i)
    names = sorted(firsts)[:2]
    m.examples = [{'name': '/'.join(n.split('/')[-2:]), 'labels': ev.outputs[firsts[n]].astype(int).tolist()} for n in names]
    dest = root/'musiclab'/'assets'/cfg.name
    m.save(dest)
    size = sum(f.stat().st_size for f in dest.iterdir())
    kept = dict(command='python bench/ship_melody.py' + (f' --config {args.config}' if args.config != 'cat-mel_2bar_small-small' else ''),
                date=datetime.date.today().isoformat(), **provenance(),
                machine=dict(platform=platform.platform(), processor=platform.processor() or platform.machine(), cores=os.cpu_count(),
                             load_after=round(os.getloadavg()[0], 2)),
                config=cfg.name, data=portable(cfg.data if args.data is None else args.data), train_seconds=secs,
                train_tunes=len(train), train_windows=len(et), valid_tunes=len(valid), test_tunes=len(test), test_windows=len(ev),
                epochs=len(m.history), test=res, examples=[e['name'] for e in m.examples], checkpoint_bytes=size)
    atomic_write(root/'nbs'/'results'/'melody.json', json.dumps(kept, indent=1))
    print(json.dumps(kept, indent=1))

if __name__ == '__main__': sys.exit(main())
