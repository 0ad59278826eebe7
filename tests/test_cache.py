"""The parse cache on a bad day (issue 17): two processes filling it at once, an entry damaged on disk, an entry made by
another musiclab version. Real MIDI files (written with pretty_midi), real music21 parsing, real processes."""
import json, os, subprocess, sys, warnings
from pathlib import Path
import numpy as np
import pytest

LOAD = '''
import json, sys
from musiclab.corpus import load_corpus
c = load_corpus(sys.argv[1], workers=1)
print(json.dumps(dict(shas=[i.sha for i in c.items], notes=[i.n_notes for i in c.items], parsed=c.parsed, skipped=c.skipped)))
'''

@pytest.fixture
def songs(tmp_path, monkeypatch):
    "Twelve short two-clef MIDI files, and a cache folder of this test's own"
    import pretty_midi
    folder = tmp_path/'songs'; folder.mkdir()
    rng = np.random.default_rng(0)
    for k in range(12):
        pm = pretty_midi.PrettyMIDI(initial_tempo=100)
        for prog, lo in ((0, 60), (0, 40)):
            inst = pretty_midi.Instrument(prog)
            for j in range(24): inst.notes.append(pretty_midi.Note(80, int(lo + rng.integers(0, 12)), j * 0.3, j * 0.3 + 0.28))
            pm.instruments.append(inst)
        pm.write(str(folder/f'song{k:02d}.mid'))
    cache = tmp_path/'cache'
    monkeypatch.setenv('MUSICLAB_CACHE', str(cache))
    return folder, cache

def _load(spec):
    r = subprocess.run([sys.executable, '-c', LOAD, spec], capture_output=True, text=True, timeout=300, env=os.environ)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])

def _entries(cache): return sorted((cache/'corpus').glob('*.npz'))

def test_two_writers_leave_only_whole_entries(songs):
    folder, cache = songs
    spec = f'midi:{folder}'
    procs = [subprocess.Popen([sys.executable, '-c', LOAD, spec], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e[-2000:] for _, e in outs]
    a, b = (json.loads(o.strip().splitlines()[-1]) for o, _ in outs)
    assert a['shas'] == b['shas'] and a['notes'] == b['notes'] and len(a['shas']) == 12
    assert len(_entries(cache)) == 12 and not [p for p in (cache/'corpus').iterdir() if p.suffix != '.npz' or p.name.startswith('.')]
    from musiclab.corpus import _cache_get
    from musiclab.core import MusiclabWarning
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        for sha in a['shas']: assert _cache_get(sha) is not None
    assert not [w for w in caught if w.category is MusiclabWarning]   # no entry is damaged
    again = _load(spec)
    assert again['parsed'] == 0 and again['notes'] == a['notes']   # a third load takes everything from the cache

def test_a_damaged_entry_is_parsed_again_with_a_warning(songs):
    folder, cache = songs
    first = _load(f'midi:{folder}')
    cut, flipped = _entries(cache)[:2]
    cut.write_bytes(cut.read_bytes()[:len(cut.read_bytes()) // 2])            # truncated
    b = bytearray(flipped.read_bytes()); b[len(b) // 3] ^= 0x5A; flipped.write_bytes(bytes(b))   # one byte changed
    from musiclab.corpus import load_corpus
    from musiclab.core import MusiclabWarning
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        c = load_corpus(f'midi:{folder}', workers=1)
    said = [str(w.message) for w in caught if w.category is MusiclabWarning]
    assert len(said) == 2 and all('cached parse' in s and 'damaged' in s and '.mid:' in s for s in said), said
    assert c.parsed == 2 and [i.n_notes for i in c.items] == first['notes']
    assert _load(f'midi:{folder}')['parsed'] == 0   # and the two entries were made whole again

def test_the_command_line_says_the_warning_in_one_line(songs):
    folder, cache = songs
    _load(f'midi:{folder}')
    _entries(cache)[0].write_bytes(b'not a zip')
    r = subprocess.run([str(Path(sys.executable).parent/'musiclab'), 'data', f'midi:{folder}'], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('musiclab: warning: ') and 'song' in lines[0] and 'damaged' in lines[0], r.stderr

def test_an_entry_of_another_musiclab_version_is_not_reused(songs):
    folder, cache = songs
    _load(f'midi:{folder}')
    old = _entries(cache)[0]
    with np.load(old) as z: arrays = {k: z[k] for k in z.files}
    meta = json.loads(arrays['meta'].tobytes()); meta['musiclab'] = '0.0.1'
    arrays['meta'] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    with open(old, 'wb') as f: np.savez(f, **arrays)
    from musiclab.corpus import load_corpus
    from musiclab.core import MusiclabWarning
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        c = load_corpus(f'midi:{folder}', workers=1)
    assert c.parsed == 1 and not [w for w in caught if w.category is MusiclabWarning]   # not damaged: simply not ours, so no warning
    with np.load(old) as z: assert json.loads(z['meta'].tobytes())['musiclab'] != '0.0.1'   # made again by this version
