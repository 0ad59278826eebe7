"""Magenta's MusicVAE configs in musiclab carry Magenta's hyper-parameters.

The table below was transcribed by hand from `magenta/models/music_vae/configs.py` in github.com/magenta/magenta
(the version of commit 526d3eb1, 2025-07-08, that made the reference checkpoints in ../shared/data/reference/magenta-ckpt),
with the defaults of `base_model.get_default_hparams` and `lstm_models.get_default_hparams` for what a config leaves unset
(free_bits 0, max_beta 1.0, beta_rate 0, dropout_keep_prob 1.0, sampling 'constant' 0, learning_rate 1e-3, decay_rate 0.9999,
min_learning_rate 1e-5, grad_clip 1.0). Magenta's HierarchicalLstmDecoder builds its conductor with dec_rnn_size, and its
level_lengths [16, 16] make 16 segments of 16 steps. musiclab's names: dropout = 1 - dropout_keep_prob, steps = 16 a bar.
"""
import pytest
from musiclab.core import get_config

#  name: (max_seq_len, enc_rnn_size, dec_rnn_size, z_size, free_bits, max_beta, beta_rate, batch_size, dropout_keep_prob,
#         sampling_schedule, sampling_rate, decoder)
MAGENTA = {
    'cat-mel_2bar_small':   (32, [512], [256, 256], 256, 0, 0.2, 0.99999, 512, 1.0, 'inverse_sigmoid', 1000, 'categorical'),
    'cat-mel_2bar_big':     (32, [2048], [2048, 2048, 2048], 512, 0, 0.5, 0.99999, 512, 1.0, 'inverse_sigmoid', 1000, 'categorical'),
    'cat-drums_2bar_small': (32, [512], [256, 256], 256, 48, 0.2, 0.0, 512, 1.0, 'inverse_sigmoid', 1000, 'categorical'),
    'flat-mel_16bar':       (256, [2048, 2048], [2048, 2048, 2048], 512, 256, 0.2, 0.0, 512, 1.0, 'constant', 0, 'categorical'),
    'hierdec-mel_16bar':    (256, [2048, 2048], [1024, 1024], 512, 256, 0.2, 0.0, 512, 1.0, 'constant', 0, 'hierarchical'),
    'flat-trio_16bar':      (256, [2048, 2048], [2048, 2048, 2048], 512, 0, 1.0, 0.0, 256, 1.0, 'constant', 0, 'multi-out'),
    'hierdec-trio_16bar':   (256, [2048, 2048], [1024, 1024], 512, 256, 0.2, 0.0, 256, 1.0, 'constant', 0, 'hierarchical split'),
    'groovae_4bar':         (64, [512], [256, 256], 256, 48, 0.2, 0.0, 512, 0.3, 'constant', 0, 'groove'),
    'groovae_2bar_humanize': (32, [512], [256, 256], 256, 48, 0.2, 0.0, 512, 0.3, 'constant', 0, 'groove'),
    'groovae_2bar_tap_fixed_velocity': (32, [512], [256, 256], 256, 48, 0.2, 0.0, 512, 0.3, 'constant', 0, 'groove'),
    'groovae_2bar_add_closed_hh': (32, [512], [256, 256], 256, 48, 0.2, 0.0, 512, 0.3, 'constant', 0, 'groove'),
}
#  the GrooveConverter switches of the groove configs: (tapify, fixed_velocities, add_instruments); ROLAND_DRUM_PITCH_CLASSES for training
SWITCHES = {'groovae_4bar': (False, False, []), 'groovae_2bar_humanize': (False, False, []),
            'groovae_2bar_tap_fixed_velocity': (True, True, []), 'groovae_2bar_add_closed_hh': (False, False, [2])}
PARTS = {'cat-mel': [90], 'flat-mel': [90], 'hierdec-mel': [90], 'flat-trio': [90, 90, 512], 'hierdec-trio': [90, 90, 512]}

@pytest.mark.parametrize('name', sorted(MAGENTA))
def test_magenta_hparams(name):
    T, enc, dec, z, fb, beta, rate, batch, keep, sched, srate, decoder = MAGENTA[name]
    hp = get_config(name).hparams
    assert hp['bars'] * 16 == T
    assert (hp['enc_sizes'], hp['z_size'], hp['batch_size']) == (enc, z, batch)
    assert (hp['free_bits'], hp['max_beta'], hp['beta_rate']) == (fb, beta, rate)
    assert hp['dropout'] == pytest.approx(1 - keep)
    assert (hp['sampling_schedule'], hp['sampling_rate']) == (sched, srate)
    assert (hp['lr'], hp['decay_rate'], hp['min_lr'], hp['grad_clip']) == (1e-3, 0.9999, 1e-5, 1.0)
    if decoder.startswith('hierarchical'):
        assert (hp['segments'], hp['conductor_sizes'], hp['dec_sizes']) == (16, dec, dec)
    else:
        assert (hp['segments'], hp['dec_sizes']) == (1, dec)
    assert hp['split'] == decoder.endswith('split')
    assert hp['humanize'] == name.endswith('humanize')
    family = name.split('_')[0]
    kind = 'onehot' if family in PARTS else 'groove' if decoder == 'groove' else 'categorical'   # drums: 512 categories from a roll
    assert hp['kind'] == kind and hp['parts'] == PARTS.get(family, [])
    if name in SWITCHES:
        assert (hp.get('tapify', False), hp.get('fixed_velocities', False), list(hp.get('add_instruments', []))) == SWITCHES[name]
        assert hp['classes'] == 'roland'

def test_smaller_twins_keep_the_structure():
    "A -small or -tiny twin changes sizes and training length only, never the structure or the KL and sampling settings"
    sizes = {'enc_sizes', 'dec_sizes', 'conductor_sizes', 'z_size', 'batch_size', 'epochs', 'steps_per_epoch', 'val_max', 'dropout'}
    for name in MAGENTA:
        for twin in ('small', 'tiny'):
            try: t = get_config(f'{name}-{twin}').hparams
            except Exception: continue
            hp = get_config(name).hparams
            moved = {k for k in hp if t.get(k) != hp[k]} - sizes
            if twin == 'small' and name.endswith('16bar'): moved -= {'free_bits'}   # 256 free bits would leave a z of 128 untouched
            assert not moved, f'{name}-{twin} changes {sorted(moved)}'
            assert (t['segments'] > 1) == (hp['segments'] > 1) and t['split'] == hp['split'] and t['parts'] == hp['parts']
