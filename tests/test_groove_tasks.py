"""GrooVAE's three tasks (lesson 12c_groove): the input transforms on hand-made windows (one rule, `drums.groove_input`, for the
converter and the network), old converter dicts and networks without the new switches, the tiny tap-to-drum and add-a-part
configs trained for real on made-up GMD and used through their verbs, the task measures and baselines on signals whose answer is
known, and the `musiclab tap2drum` / `musiclab add-part` commands."""
from pathlib import Path
import numpy as np
import pytest
from conftest import run_musiclab

from musiclab.core import ConfigError, DataError, get_config
from musiclab.drums import GrooveConverter, _drum_file, _fake_gmd, groove_input, load_drums
from musiclab.models.musicvae import MusicVAE, MusicVAENet, build_net
from musiclab.models.groove import (groove_scores, groove_task_baselines, groove_task_measures, part_instruments, rhythm_file,
                                    task_windows, tap_window)
from musiclab.cli import cmd_add_part, cmd_tap2drum

TAP, ADD = 'groovae_2bar_tap_fixed_velocity-tiny', 'groovae_2bar_add_closed_hh-tiny'

class Args:
    def __init__(self, **kw): self.__dict__.update(kw)

def _window():
    "Step 0: a loud kick and a soft closed hi-hat; step 2: a snare; steps 1 and 3 empty"
    w = np.zeros((4, 27), np.float32)
    w[0, [0, 2]] = 1; w[0, [9, 11]] = (0.9, 0.4); w[0, [18, 20]] = (0.2, -0.5)
    w[2, 1] = 1; w[2, 10] = 0.6; w[2, 19] = -0.1
    return w

def test_tapify_puts_the_loudest_hit_on_the_tap_row_and_leaves_empty_steps_empty():
    t = groove_input(_window(), tapify=True)
    assert np.nonzero(t[:, :9])[1].tolist() == [3, 3]                          # one tap a hit step, on the open hi-hat row
    assert t[0, [3, 12, 21]].tolist() == pytest.approx([1, 0.9, 0.2])          # the kick (louder than the hi-hat), its timing
    assert t[2, [3, 12, 21]].tolist() == pytest.approx([1, 0.6, -0.1])
    assert not t[[1, 3]].any()
    f = groove_input(_window(), tapify=True, fixed_velocities=True)
    assert not f[:, 9:18].any() and f[0, 21] == pytest.approx(0.2)             # taps of one strength keep their timing

def test_add_instruments_clears_that_instrument_only():
    w = _window()
    a = groove_input(w, add_instruments=(2,))
    assert not a[:, [2, 11, 20]].any()
    keep = [i for i in range(27) if i % 9 != 2]
    np.testing.assert_array_equal(a[:, keep], w[:, keep])

def test_converter_and_network_apply_the_same_rule():
    "The converter's numpy inputs equal what the network's encoder reads, for every task config"
    rng = np.random.default_rng(0)
    y = np.zeros((3, 32, 27), np.float32)
    hits = rng.random((3, 32, 9)) < 0.3
    y[..., :9], y[..., 9:18], y[..., 18:] = hits, hits * rng.uniform(0.1, 1, hits.shape), hits * rng.uniform(-1, 1, hits.shape)
    for name in (TAP, ADD, 'groovae_2bar_humanize-tiny', 'groovae_4bar-tiny'):
        cfg = get_config(name)
        conv = MusicVAE(cfg).converter
        net = build_net(cfg) if cfg['bars'] == 2 else None
        if net is not None: np.testing.assert_allclose(net.enc_input(y).numpy(), conv.inputs(y), atol=0, err_msg=name)
    assert MusicVAE(get_config(TAP)).converter.transform == dict(tapify=True, humanize=False, fixed_velocities=True, add_instruments=())

def test_old_converter_dicts_and_networks_load_with_the_switches_off():
    old = dict(kind='groove', bars=2, hop_bars=1, humanize=True, classes='roland', kit='gm')   # a dict saved before tapify existed
    c = GrooveConverter.from_dict(old)
    assert (c.humanize, c.tapify, c.fixed_velocities, c.add_instruments) == (True, False, False, ())
    new = GrooveConverter(2, add_instruments=[2])
    assert GrooveConverter.from_dict(new.to_dict()).add_instruments == (2,)
    assert GrooveConverter(2, 1, False, 'roland', 'gm').transform['add_instruments'] == ()   # the old positional arguments
    hp = build_net(get_config('groovae_2bar_humanize-tiny')).get_config()
    for k in ('tapify', 'fixed_velocities', 'add_instruments'): hp.pop(k)
    net = MusicVAENet.from_config(hp)   # a network saved before the switches: humanize still applies, the others are off
    x = np.ones((1, 32, 27), np.float32)
    np.testing.assert_array_equal(net.enc_input(x).numpy(), groove_input(x, humanize=True))
    with pytest.raises(ConfigError, match='add_instruments must be drum indices'): GrooveConverter(add_instruments=[12])

@pytest.fixture(scope='module')
def gmd(tmp_path_factory):
    return load_drums(f'gmd:{_fake_gmd(tmp_path_factory.mktemp("gmd"), n=6, bars=8)}')

@pytest.fixture(scope='module')
def trained(gmd, tmp_path_factory):
    "The two tiny task configs, each trained for real (two steps) on the made-up GMD: name -> (model, checkpoint)"
    out = {}
    for name in (TAP, ADD):
        run = tmp_path_factory.mktemp(name)/'run'
        out[name] = (MusicVAE(get_config(name)).fit(gmd, gmd, out=run, verbose=0), run)
    return out

def test_tap2drum_plays_a_rhythm_of_any_instrument(trained, tmp_path):
    m, run = trained[TAP]
    assert m.tasks == ('tap2drum',) and np.isfinite(m.history[0]['loss'])
    piano = _drum_file(tmp_path/'piano.mid', [(q / 2, 60, 80) for q in range(16)], is_drum=False, bpm=96)   # a piano's onsets are taps
    w, qpm, name = tap_window(piano, m.converter)
    assert (qpm, name, np.nonzero(w[:, 3])[0].tolist()) == (96.0, 'piano', list(range(0, 32, 2)))
    p = m.tap2drum(piano, seed=1)
    assert (p.steps, p.tempo) == (32, 96.0) and p.title == 'piano: drums for the taps'
    again = MusicVAE.load(run)
    assert again.tasks == ('tap2drum',)
    np.testing.assert_allclose(again.tap2drum(piano, seed=1).tensor(), p.tensor(), atol=1e-5)
    grid = np.zeros(32); grid[::4] = 1
    assert m.tap2drum(grid).steps == 32
    assert len(rhythm_file(p).onsets) == p.n_hits   # a DrumPiece is a rhythm too
    with pytest.raises(ConfigError, match=f'{ADD} cannot tap to drum'): trained[ADD][0].tap2drum(piano)
    with pytest.raises(DataError, match='no such file'): m.tap2drum(tmp_path/'nowhere.mid')
    empty = tmp_path/'empty.mid'; empty.write_bytes(b'not midi')
    with pytest.raises(DataError, match='not a readable MIDI file'): m.tap2drum(empty)

def test_add_part_keeps_the_given_parts_and_adds_the_models(trained, gmd):
    m, _ = trained[ADD]
    f = gmd.split('test')[0]
    w = m.window(f)
    p = m.add_part(f, 'hh', seed=2)
    keep = [i for i in range(27) if i % 9 != 2]
    np.testing.assert_allclose(p.tensor()[:, keep], w[:, keep], atol=1e-6)
    given, added = m.with_part(f)
    assert not given.hits[:, 2].any() and added.title.endswith('closed hi-hat added')
    assert part_instruments('closed hi-hat') == (2,)
    with pytest.raises(ConfigError, match='adds the closed hi-hat, not the snare'): m.add_part(f, 'snare')
    with pytest.raises(ConfigError, match=f'{TAP} cannot add part'): trained[TAP][0].add_part(f)

def test_scores_of_known_answers():
    y = np.zeros((2, 4, 27)); y[:, 0, [0, 9, 18]] = (1, 0.5, 0.4); y[1, 2, [2, 11, 20]] = (1, 0.8, -0.2)
    s = groove_scores(y, y, [125.0, 100.0])
    assert (s['hit_accuracy'], s['hit_f1'], s['velocity_error'], s['timing_error_ms'], s['hits']) == (1.0, 1.0, 0.0, 0.0, 3)
    q = y.copy(); q[..., 18:] = 0
    assert groove_scores(q, y, [125.0, 100.0])['timing_error_ms'] == pytest.approx((0.2 * 125 + 0.2 * 100 + 0.1 * 100) / 3)
    silent = groove_scores(np.zeros_like(y), y, 100.0)
    assert (silent['hit_f1'], silent['hit_accuracy']) == (0.0, 1 - 3 / 72)
    with pytest.raises(DataError, match='must have one shape'): groove_scores(y[:1], y, 100.0)

def test_baselines_of_known_answers(gmd):
    train, test = gmd.split('train'), gmd.split('test')
    y, ms = task_windows(GrooveConverter(2), test)
    h = y[..., :9] > 0.5
    b = groove_task_baselines('humanize', train, test)
    q = b['baselines']['quantized']
    assert q['hit_accuracy'] == 1.0 and q['timing_error_ms'] == pytest.approx(np.mean((np.abs(y[..., 18:]) / 2 * ms[:, None, None])[h]))
    t = groove_task_baselines('tap2drum', train, test)['baselines']
    assert t['taps']['timing_error_ms'] == pytest.approx(q['timing_error_ms'])   # both say offset 0 at every true hit
    b = groove_task_baselines('add_part', train, test)
    a = b['baselines']
    assert a['without_part']['added_hit_f1'] == 0.0 and a['without_part']['added_timing_error_ms'] == pytest.approx(
        np.mean((np.abs(y[..., 20]) / 2 * ms[:, None])[h[..., 2]]))
    assert a['frequent_pattern']['added_hits'] == int(h[..., 2].sum())
    tr = task_windows(GrooveConverter(2), train)[0][..., 2] > 0.5
    assert b['part_silent_share'] == pytest.approx(np.mean(~tr.any(-1)))   # training windows without a closed hi-hat
    if tr.any():   # the mode among windows that play the part: a real pattern, never the empty row
        assert a['frequent_pattern']['added_hit_f1'] > 0 or not h[..., 2].any()

def test_measures_of_the_tiny_models(trained, gmd):
    tap = groove_task_measures(trained[TAP][0], gmd.split('test'), limit=16)
    add = groove_task_measures(trained[ADD][0], gmd.split('test'), limit=16)
    keys = {'task', 'config', 'windows', 'temperature', 'hit_accuracy', 'hit_f1', 'velocity_error', 'timing_error_ms', 'hits'}
    assert set(tap) == keys and tap['task'] == 'tap2drum' and tap['windows'] <= 16
    assert set(add) == keys | {f'added_{k}' for k in ('hit_accuracy', 'hit_f1', 'velocity_error', 'timing_error_ms', 'hits')}
    assert 0 <= tap['hit_accuracy'] <= 1 and tap['velocity_error'] >= 0 and tap['timing_error_ms'] >= 0
    y, _ = task_windows(trained[ADD][0].converter, gmd.split('test'), 16)
    assert add['added_hits'] == int((y[..., 2] > 0.5).sum())
    with pytest.raises(ConfigError, match='has no task to measure'):
        groove_task_measures(MusicVAE(get_config('groovae_4bar-tiny')), gmd.split('test'))

def test_command_functions_write_midi_and_audio(trained, gmd, tmp_path):
    tap_run, add_run = trained[TAP][1], trained[ADD][1]
    rhythm = Path(gmd.split('test')[0].source)
    assert cmd_tap2drum(Args(checkpoint=tap_run, rhythm=rhythm, seed=0, out=tmp_path/'tap')) == 0
    assert cmd_add_part(Args(checkpoint=add_run, part='hh', input=rhythm, seed=0, out=tmp_path/'add')) == 0
    for d in ('tap', 'add'):
        assert (tmp_path/d/'index.html').exists() and len(list((tmp_path/d).glob('*.wav'))) == 2 and len(list((tmp_path/d).glob('*.mid'))) == 2
    with pytest.raises(ConfigError, match='cannot turn taps into drums: train a groovae_2bar_tap_fixed_velocity config'):
        cmd_tap2drum(Args(checkpoint=add_run, rhythm=rhythm, seed=0, out=tmp_path/'x'))
    with pytest.raises(ConfigError, match='adds the closed hi-hat, not the ride'):
        cmd_add_part(Args(checkpoint=add_run, part='ride', input=rhythm, seed=0, out=tmp_path/'y'))

def test_cli_refuses_a_model_without_the_task_in_one_line(trained, gmd, tmp_path):
    rhythm = gmd.split('test')[0].source
    r = run_musiclab('add-part', 'hh', '--checkpoint', str(trained[TAP][1]), '--input', rhythm, '--out', str(tmp_path/'o'), timeout=300)
    assert r.returncode == 2 and 'Traceback' not in r.stderr, r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith('musiclab: error: ') and 'cannot add a part' in r.stderr, r.stderr
