"""The seed's waveform VAE against the corrected one, trained side by side in one run on the same clips.

Both configs (default: wavevae-seed, the seed's model as published, and wavevae-small, the corrected one) train on
the same split of the same data for the same number of epochs with no early stopping, then
`musiclab.models.wavevae.compare_models` measures reconstructions (from the posterior mean) of the training clips and
of the held-out clips — RMS error and log-spectral distance — and 16 generated clips: their level, DC offset, share of
negative samples, and the distance of their long-term average spectrum from the held-out clips'. Baselines: silence
and the mean training clip. The table is printed in Markdown (it is the one in nbs/13_wavevae.ipynb) and the rows
are kept in nbs/results/wavevae-compare.json (with the command, the date and the machine), which 13_wavevae prints and checks
its text against. About 13 minutes on 2 cores.

Run: python bench/wavevae_compare.py [--data rendered:m21-chorales:100] [--epochs 60] [--configs wavevae-seed wavevae-small]
"""
import argparse, datetime, json, os, shutil, time
from pathlib import Path

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='rendered:m21-chorales:100', help='a musiclab.audio data spec')
    ap.add_argument('--epochs', type=int, default=60)
    ap.add_argument('--configs', nargs='+', default=['wavevae-seed', 'wavevae-small'])
    ap.add_argument('--out', default=str(Path(__file__).parent/'results'/'wavevae_compare'), help='where the runs go (emptied first)')
    ap.add_argument('--write', default='nbs/results/wavevae-compare.json', help="the kept result file ('' to keep nothing)")
    args = ap.parse_args()
    from musiclab.core import atomic_write, provenance
    from musiclab.evaluate import _machine
    from musiclab.models.wavevae import compare_models, results_table
    shutil.rmtree(args.out, ignore_errors=True)   # from scratch: a finished run left there would be resumed, not trained
    t0 = time.time()
    rows = compare_models(args.configs, data=args.data, epochs=args.epochs, out=args.out)
    data = rows[-1]
    c = data['clips']
    print(f"{args.data}: {c['train_overlapping']} training clips of 30 s at 3 kHz (15 s apart; {c['train']} without overlap, measured below) "
          f"and {c['held_out']} held-out clips; {args.epochs} epochs each; {os.cpu_count()} cores; {time.time() - t0:.0f} s in all\n")
    for r in rows:
        if r.get('note'): print(f"{r['model']}: {r['note']}")
    print(results_table(rows))
    seconds = time.time() - t0
    if args.write:
        cmd = 'python bench/wavevae_compare.py' + ''.join(f" --{k} {' '.join(v) if isinstance(v, list) else v}" for k in ('data', 'epochs', 'configs')
                                                         if (v := getattr(args, k)) != ap.get_default(k))
        atomic_write(args.write, json.dumps(dict(provenance(), command=cmd, date=datetime.date.today().isoformat(), machine=_machine(),
                                                 seconds=round(seconds), data=args.data, epochs=args.epochs, rows=rows), indent=1) + '\n')
        print(f'kept: {args.write}')
    by = {r['model']: r for r in rows}
    if {'wavevae-seed', 'wavevae-small'} <= set(by):
        s, c = by['wavevae-seed'], by['wavevae-small']
        print(f"\nheld-out clips: log-spectral distance {s['lsd_db']:.1f} dB (seed) vs {c['lsd_db']:.1f} dB (corrected), RMS error "
              f"{s['rmse']:.3f} vs {c['rmse']:.3f}; generated clips: DC offset {s['gen_dc']:+.3f} vs {c['gen_dc']:+.3f}, "
              f"{s['gen_negative']:.0%} vs {c['gen_negative']:.0%} negative samples")

if __name__ == '__main__': main()
