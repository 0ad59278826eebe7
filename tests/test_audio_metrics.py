"""musiclab.metrics' audio measures through their public functions (issue 19, item 1), on short synthetic clips at 8 kHz:
known answers (a clip against itself, a 1-D Fréchet distance), orderings a measure must get right (a near miss is closer
than noise), silence without NaN, the calibration rows' floor below the trivial fakes, and the errors for bad input."""
import math
import numpy as np
import pytest
from musiclab.core import DataError
from musiclab.metrics import (audio_embedding, audio_measures, calibrated_fd, calibration_table, closer_to_real, fd_position,
                              frechet_distance, mr_stft_distance)

SR = 8000
T = np.arange(SR) / SR

def sine(f, phase=0.0, level=0.5): return level * np.sin(2 * np.pi * f * T + phase)

def tones(n, seed):
    "n decaying tones with three harmonics, at random pitch (220-440 Hz), phase and level"
    rng = np.random.default_rng(seed)
    return [rng.uniform(0.3, 0.6) * sum(np.sin(2 * np.pi * k * f * T + rng.uniform(0, 6)) / k for k in (1, 2, 3)) * np.exp(-2 * T)
            for f in rng.uniform(220, 440, n)]

def test_reconstruction_measures_are_zero_for_a_copy_and_order_a_near_miss_before_noise():
    a, near = sine(440), sine(452)
    noise = np.random.default_rng(0).standard_normal(SR) * a.std()
    assert audio_measures([a, near], [a, near], SR) == {'mr_stft': 0.0, 'log_spectral_distance': 0.0, 'spectral_convergence': 0.0, 'clips': 2}
    m_near, m_noise = audio_measures([near], [a], SR), audio_measures([noise], [a], SR)
    for k in ('mr_stft', 'log_spectral_distance', 'spectral_convergence'):
        assert 0 < m_near[k] < m_noise[k], (k, m_near, m_noise)
    d = mr_stft_distance(np.stack([a, a]), np.stack([near, noise]), SR)
    assert d.shape == (2,) and d[0] < d[1]

def test_frechet_distance_known_answer_zero_on_itself_and_symmetric():
    x = np.array([[-1.0], [1.0]])                           # sd sqrt(2); 3 + 2x has mean 3, sd 2 sqrt(2)
    assert math.isclose(frechet_distance(x, 3 + 2 * x), 11.0, rel_tol=1e-5)
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((10, 206)), rng.standard_normal((10, 206)) + 0.5
    assert frechet_distance(a, a) < 1e-6
    assert math.isclose(frechet_distance(a, b), frechet_distance(b, a), rel_tol=1e-9)
    with pytest.raises(DataError, match='2 or more'): frechet_distance(a[:1], b)

def test_sines_with_another_phase_are_near_and_noise_is_far():
    freqs = (220, 277, 330, 392, 440, 523)
    s0 = audio_embedding([sine(f) for f in freqs], SR)
    s1 = audio_embedding([sine(f, 1.0) for f in freqs], SR)
    noise = audio_embedding([np.random.default_rng(i).standard_normal(SR) * 0.35 for i in range(6)], SR)
    assert frechet_distance(s0, s1) < frechet_distance(s0, noise) / 100

def test_silence_and_one_frame_give_finite_embeddings_and_bad_clips_are_refused():
    e = audio_embedding([np.zeros(SR), sine(440)[:512]], SR)
    assert e.shape == (2, 206) and np.isfinite(e).all()
    with pytest.raises(DataError, match='clip 1 has 100 samples'): audio_embedding([sine(440), sine(440)[:100]], SR)
    with pytest.raises(DataError, match='no clips'): audio_embedding([], SR)
    with pytest.raises(DataError, match='in pairs'): audio_measures([sine(440)], [sine(440)] * 2, SR)

def test_calibration_floor_is_below_the_trivial_fakes():
    rows = calibrated_fd(tones(6, 2), tones(6, 1), tones(6, 0), SR, others={'loud noise': [np.random.default_rng(i).standard_normal(SR) for i in range(6)]})
    fd = {r['name']: r['fd'] for r in rows}
    assert list(fd) == ['generated', 'train (floor)', 'white noise', 'silence', 'mean clip', 'loud noise']
    assert fd['train (floor)'] < min(fd['white noise'], fd['silence'], fd['mean clip']), fd
    assert closer_to_real(rows) and not closer_to_real(rows, 'loud noise')
    assert fd_position(rows, 'train (floor)') == 0 and fd_position(rows) < 1
    table = calibration_table(rows)
    assert table.count('\n') == len(rows) + 1 and '| white noise | ceiling | 6 |' in table
