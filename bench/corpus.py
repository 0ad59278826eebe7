"""What the fast MIDI path, the corpus cache and the parallel parse buy, measured side by side in one run.

On the 48 Chopin MIDI files of ../shared/data/chopin (skipped cleanly when that folder is absent), for each MIDI
parser (`parser='fast'`, the default, and `parser='music21'`, the score builder it replaces):
1. a cold parse with one worker per core, into a fresh, empty cache folder;
2. a warm load of the same spec from that cache (the first one, and the median of five);
then a cold fast parse with workers=1, for the parallel speed-up, and how many pieces the two parsers agree on
(01_corpus explains the files where they differ); last, the fast path alone (`_fast_midi` over the files' bytes, in
this process, one file after another, best of 3), the figure that moves least with other work on the machine. Every
cache lives in a temporary folder (MUSICLAB_CACHE), so your own cache is never touched. The load average is printed
first and last: other work on the machine slows both paths, and the short fast runs and the long music21 run may
meet different loads, so compare ratios only between runs at similar loads.

Run: python bench/corpus.py
"""
import os, shutil, statistics, sys, tempfile, time, warnings
from pathlib import Path
from musiclab.core import portable, shared_data
from musiclab.corpus import _fast_midi, load_corpus

def timed(fn):
    t = time.perf_counter(); r = fn(); return r, time.perf_counter() - t

def cold(spec, workers, tmp, parser):
    os.environ['MUSICLAB_CACHE'] = str(tmp)  # an empty cache: every file is parsed
    return timed(lambda: load_corpus(spec, workers=workers, parser=parser))

def warm(spec, tmp, parser, first):
    os.environ['MUSICLAB_CACHE'] = str(tmp)  # the cache of the cold run
    runs = [timed(lambda: load_corpus(spec, parser=parser)) for _ in range(6)]
    assert all(w == first and w.parsed == 0 for w, _ in runs), f'a warm load ({parser}) differs from the cold parse'
    return runs[0][1], statistics.median(t for _, t in runs[1:])

def serial(files):
    "Seconds `_fast_midi` takes over the files' bytes in this process, one after another (best of 3; a file it refuses counts too)"
    datas, runs = [f.read_bytes() for f in files], []
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')   # music21's instrument-name warnings
        for _ in range(3):
            t = time.perf_counter()
            for d in datas:
                try: _fast_midi(d)
                except Exception: pass
            runs.append(time.perf_counter() - t)
    return min(runs)

def main():
    folder = shared_data('chopin')
    if folder is None:
        print('skipped: the Chopin reference files (../shared/data/chopin beside the project) are not on this machine')
        return 0
    import music21
    files = sorted(f for f in folder.rglob('*') if f.suffix.lower() in ('.mid', '.midi'))
    cores = os.cpu_count() or 1
    print(f'python {sys.version.split()[0]}, music21 {music21.__version__}, {cores} cores, load average {os.getloadavg()[0]:.2f} at the start')
    print(f'data: {len(files)} MIDI files, {sum(f.stat().st_size for f in files)/1e6:.1f} MB in {portable(folder)}')
    spec = f'midi:{folder}'
    # music21 may need more than its usual 120 s for a big file on a busy machine; a file skipped for time would be parsed
    # again by every warm load (a timeout is never cached), so the bench gives it an hour unless you set the limit yourself
    os.environ.setdefault('MUSICLAB_PARSE_SECONDS', '3600')
    old = os.environ.get('MUSICLAB_CACHE')
    tmp = Path(tempfile.mkdtemp(prefix='musiclab-bench-'))
    try:
        res = {}
        for parser in ('fast', 'music21'):
            c, t = cold(spec, None, tmp/parser, parser)
            n = len(c.items) + len(c.skipped)
            first, w = warm(spec, tmp/parser, parser, c)
            res[parser] = (c, t, w)
            print(f'{parser:>7}: cold parse, {cores} workers {t:7.2f} s ({n/t:6.1f} files/s; {len(c.items)} pieces, {len(c.skipped)} skipped); '
                  f'warm load {w:6.3f} s (median of 5; first {first:.3f} s)')
        (cf, tf, wf), (cm, tm, wm) = res['fast'], res['music21']
        same = sum(a == b for a, b in zip(cf.items, cm.items))
        print(f'the two parsers give equal pieces for {same}/{len(cm.items)} files (01_corpus: music21 moves the continuation of some chords it cuts at bar lines)')
        c_one, t_one = cold(spec, 1, tmp/'one', 'fast')
        assert c_one == cf, 'a serial fast parse differs from the parallel one'
        print(f'fast, cold parse, 1 worker: {t_one:7.2f} s; {cores} workers are {t_one/tf:.2f}x faster than 1 (ideal {cores}x)')
        print(f'warm load vs cold parse: {tf/wf:.0f}x (fast), {tm/wm:.0f}x (music21); both warm loads read the same kind of entry ({wf:.3f} s, {wm:.3f} s)')
        ts = serial(files)
        print(f'fast path alone (_fast_midi in this process, one file after another, best of 3): {ts:.2f} s for {len(files)} files')
        print(f'load average {os.getloadavg()[0]:.2f} at the end')
        print(f'fast MIDI path: a cold parse is {tm/tf:.1f}x faster than music21 ({tf:.1f} s vs {tm:.1f} s with {cores} workers, {len(files)} Chopin files)')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is None: os.environ.pop('MUSICLAB_CACHE', None)
        else: os.environ['MUSICLAB_CACHE'] = old
    return 0

if __name__ == '__main__': sys.exit(main())
