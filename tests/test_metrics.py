"""musiclab.metrics against MusPy itself: the same values on the same corpus pieces (Dong et al. 2020, `muspy.metrics`).
Skips with a message where muspy does not install."""
import math
import numpy as np
import pytest

muspy = pytest.importorskip('muspy', reason='muspy is not installed (pip install muspy) — the cross-check needs it')

def _music(notes, tpq, drum=False):
    return muspy.Music(resolution=tpq, tracks=[muspy.Track(is_drum=drum, notes=[muspy.Note(int(on), int(p), int(d), 64) for on, d, p in notes])])

def _same(a, b): return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)

@pytest.fixture(scope='module')
def pieces():
    from musiclab.corpus import load_corpus
    from musiclab.metrics import note_array
    return [(it.name, note_array(it)) for it in load_corpus('m21-piano').items]

def test_symbolic_metrics_equal_muspy(pieces):
    from musiclab import metrics as M
    from musiclab.corpus import TPQ
    pairs = [(M.pitch_range, muspy.pitch_range), (M.n_pitches_used, muspy.n_pitches_used), (M.n_pitch_classes_used, muspy.n_pitch_classes_used),
             (M.pitch_entropy, muspy.pitch_entropy), (M.pitch_class_entropy, muspy.pitch_class_entropy),
             (M.scale_consistency, muspy.scale_consistency), (M.polyphony, muspy.polyphony), (M.polyphony_rate, muspy.polyphony_rate),
             (M.empty_beat_rate, muspy.empty_beat_rate), (M.groove_consistency, lambda m: muspy.groove_consistency(m, 4 * TPQ))]
    checked = 0
    for name, n in pieces:
        m = _music(n, TPQ)
        for ours, theirs in pairs:
            assert _same(float(ours(n)), float(theirs(m))), (name, ours.__name__, ours(n), theirs(m))
            checked += 1
    for key, (root, mode) in [('C major', (0, 'major')), ('A minor', (9, 'minor')), ('E- major', (3, 'major'))]:
        for name, n in pieces:
            assert _same(M.in_key_rate(n, key), muspy.pitch_in_scale_rate(_music(n, TPQ), root, mode)), (name, key)
    assert checked == 10 * len(pieces) >= 100

def test_drum_metrics_equal_muspy():
    from musiclab import metrics as M
    rng = np.random.default_rng(0)
    for tpq in (48, 24, 4):
        for _ in range(20):
            on = np.sort(rng.integers(0, 16 * tpq, 40))
            n = np.stack([on, np.full(40, 1), rng.choice([36, 38, 42], 40)], 1)
            m = _music(n, tpq, drum=True)
            assert _same(M.drum_in_pattern_rate(n, 'duple', tpq), muspy.drum_in_pattern_rate(m, 'duple'))
            assert _same(M.drum_in_pattern_rate(n, 'triple', tpq), muspy.drum_in_pattern_rate(m, 'triple'))
            assert _same(M.drum_pattern_consistency(n, tpq), muspy.drum_pattern_consistency(m))
