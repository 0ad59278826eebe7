"""Generation speed of the LSTM: the compiled, state-carrying sampler against the naive loop, on the same trained model.

The naive loop is the write-up's (and most tutorials') generator: one `model.predict` over the last `window`
events for every new event. The compiled sampler (`musiclab.models.lstm.Sampler`) carries the LSTM state and runs
the whole generation, both clefs, as one `tf.function`. Both generate the same number of events per clef from the
same primer with the same top-k settings; the model is the checkpoint shipped with musiclab (`lstm-small`), or the
one given with --checkpoint.

Run: python bench/generate.py [--checkpoint DIR] [--length 100]
"""
import argparse, os, time
import numpy as np

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--checkpoint', help='a saved LSTM (default: the one shipped in musiclab/assets/lstm-small)')
    ap.add_argument('--length', type=int, default=100, help='events per clef')
    args = ap.parse_args()
    from musiclab.core import asset
    from musiclab.cli import load_checkpoint
    from musiclab.models.lstm import Sampler, naive_generate
    model = load_checkpoint(args.checkpoint or asset('lstm-small'))
    hp = model.hp
    primers = model.primer()
    k = (hp['top_k_notes'], hp['top_k_durs'])
    print(f"model: {model.config.name} ({sum(n.count_params() for n in model.nets.values()):,} parameters, two clefs), "
          f"{args.length} events per clef, window {hp['window']}, {os.cpu_count()} cores")

    sampler = Sampler(model.nets, k)
    t = time.perf_counter(); sampler(primers, args.length, 1.0, seed=0); first = time.perf_counter() - t
    runs = []
    for s in range(5):
        t = time.perf_counter(); sampler(primers, args.length, 1.0, seed=s + 1); runs.append(time.perf_counter() - t)
    compiled = float(np.median(runs))
    t = time.perf_counter(); naive_generate(model.nets, primers, args.length, hp['window'], k, seed=0); naive = time.perf_counter() - t

    n = 2 * args.length
    print(f'compiled sampler: first call (tracing included) {first:.2f} s; then median {compiled * 1e3:.0f} ms = {n / compiled:,.0f} events/s')
    print(f'naive predict loop: {naive:.1f} s = {n / naive:,.1f} events/s')
    print(f'compiled sampler is {naive / compiled:.0f}x faster than the naive predict loop ({naive / first:.0f}x counting its tracing)')

if __name__ == '__main__': main()
