"""What the corpus cache and the parallel parse buy, measured side by side in one run.

On the 48 Chopin MIDI files of ../shared/data/chopin (skipped cleanly when that folder is absent):
1. a cold parse with one worker per core, into a fresh, empty cache folder;
2. a warm load of the same spec from that cache (the first one, and the median of five);
3. a cold parse with workers=1, into another empty cache folder, for the parallel speed-up.
Every cache lives in a temporary folder (MUSICLAB_CACHE), so your own cache is never touched.

Run: python bench/corpus.py
"""
import os, shutil, statistics, sys, tempfile, time
from pathlib import Path
from musiclab.core import portable, shared_data
from musiclab.corpus import load_corpus

def timed(fn):
    t = time.perf_counter(); r = fn(); return r, time.perf_counter() - t

def cold(spec, workers, tmp):
    os.environ['MUSICLAB_CACHE'] = str(tmp)  # an empty cache: every file is parsed
    return timed(lambda: load_corpus(spec, workers=workers))

def main():
    folder = shared_data('chopin')
    if folder is None:
        print('skipped: the Chopin reference files (../shared/data/chopin beside the project) are not on this machine')
        return 0
    import music21
    files = sorted(f for f in folder.rglob('*') if f.suffix.lower() in ('.mid', '.midi'))
    cores = os.cpu_count() or 1
    print(f'python {sys.version.split()[0]}, music21 {music21.__version__}, {cores} cores')
    print(f'data: {len(files)} MIDI files, {sum(f.stat().st_size for f in files)/1e6:.1f} MB in {portable(folder)}')
    spec = f'midi:{folder}'
    old = os.environ.get('MUSICLAB_CACHE')
    tmp = Path(tempfile.mkdtemp(prefix='musiclab-bench-'))
    try:
        c_all, t_all = cold(spec, None, tmp/'all')
        n = len(c_all.items) + len(c_all.skipped)
        print(f'cold parse, {cores} workers: {t_all:7.2f} s  ({n/t_all:7.1f} files/s; {len(c_all.items)} pieces, {len(c_all.skipped)} skipped)')
        warm = [timed(lambda: load_corpus(spec)) for _ in range(6)]  # the cache of the cold run above
        assert all(w == c_all and w.parsed == 0 for w, _ in warm), 'a warm load differs from the cold parse'
        t_first, t_warm = warm[0][1], statistics.median(t for _, t in warm[1:])
        print(f'warm load from the cache:  {t_warm:7.3f} s  ({n/t_warm:7.0f} files/s; first warm load {t_first:.3f} s; median of 5)')
        c_one, t_one = cold(spec, 1, tmp/'one')
        assert c_one == c_all, 'a serial parse differs from the parallel one'
        print(f'cold parse, 1 worker:      {t_one:7.2f} s  ({n/t_one:7.1f} files/s)')
        print(f'parallel parse: {cores} workers are {t_one/t_all:.2f}x faster than 1 (ideal {cores}x)')
        print(f'warm load is {t_all/t_warm:.0f}x faster than a cold parse ({t_warm*1e3:.0f} ms vs {t_all:.1f} s with {cores} workers)')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is None: os.environ.pop('MUSICLAB_CACHE', None)
        else: os.environ['MUSICLAB_CACHE'] = old
    return 0

if __name__ == '__main__': sys.exit(main())
