"""How well each spectrogram transform can be heard again: `musiclab.spectrogram.phase_comparison` on the rendered piano
pieces at full size (8 clips per transform, 32 Griffin-Lim iterations), for the transforms of `STANDARD_TRANSFORMS` (the
seed's and `specvae-small`'s). Each clip is made into an image and turned back into sound four ways (its true phase,
Griffin-Lim, the seed's zero phase, PGHI followed by as many Griffin-Lim iterations); spectral convergence and log-spectral distance compare the result with the clip.

The table is printed and kept in nbs/results/phase-comparison.json (with the command, the date and the machine), which
`04a_spectrogram` and `14_specvae` read. About two minutes on 2 cores.

Run: python bench/phase.py [--clips 8] [--iters 32]
"""
import argparse, datetime, json, sys
from pathlib import Path

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--clips', type=int, default=8, help='clips per transform')
    ap.add_argument('--iters', type=int, default=32, help='Griffin-Lim iterations')
    ap.add_argument('--write', default='nbs/results/phase-comparison.json', help="the kept result file ('' to keep nothing)")
    args = ap.parse_args()
    from musiclab.core import atomic_write, provenance
    from musiclab.evaluate import _machine
    from musiclab.audio import load_audio
    from musiclab.spectrogram import STANDARD_TRANSFORMS, phase_comparison, phase_table
    data = 'rendered:m21-piano'
    rows = phase_comparison(load_audio(data, sample_rate=44100).items, STANDARD_TRANSFORMS, n=args.clips, n_iter=args.iters)
    print(phase_table(rows))
    if args.write:
        cmd = 'python bench/phase.py' + ''.join(f' --{k} {getattr(args, k)}' for k in ('clips', 'iters') if getattr(args, k) != ap.get_default(k))
        atomic_write(args.write, json.dumps(dict(provenance(), command=cmd, date=datetime.date.today().isoformat(), machine=_machine(),
                                                 data=data, clips=args.clips, n_iter=args.iters, rows=rows), indent=1) + '\n')
        print(f'kept: {args.write}')

if __name__ == '__main__': main()
