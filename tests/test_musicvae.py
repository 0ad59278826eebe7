"""MusicVAE / GrooVAE end to end: every tiny config trains, samples, interpolates and reloads; a saved model generates the
same drums in a fresh process; the converters match Magenta's reference tensors (when ../shared/data/reference is here);
bad drum input is refused with one clear line; the converter sizes the network, and a checkpoint whose converter does not
fit its network is refused; tempo and title are the controls; the shipped checkpoint loads in safe mode, samples, and the demo writes drums.
The command-line tests run the installed `musiclab` command: train, generate, interpolate, humanize and data on drums."""
import json, subprocess, sys
from pathlib import Path
import numpy as np
import pytest
from conftest import ROOT, run_musiclab

from musiclab.core import CheckpointError, ConfigError, DataError, get_config, shared_data
from musiclab.drums import (CategoricalConverter, GrooveConverter, DrumPiece, _drum_file, _fake_gmd, describe, kept_notes,
                            load_drums, magenta_parity, read_drum_midi)
from musiclab.models.musicvae import MusicVAE, MusicVAENet, build_net, demo, shipped
from musiclab.cli import cmd_generate, cmd_humanize, cmd_interpolate   # the command line's own functions, in-process

TINY = ['groovae_4bar-tiny', 'groovae_2bar_humanize-tiny', 'cat-drums_2bar_small-tiny', 'flat-drums-16bar-tiny', 'hierdec-drums-16bar-tiny']

class Args:
    def __init__(self, **kw): self.__dict__.update(kw)

@pytest.fixture(scope='module')
def gmd(tmp_path_factory):
    "A small made-up Groove-MIDI-Dataset folder (18-bar beats, so 16-bar windows exist) with a few bad files"
    return load_drums(f'gmd:{_fake_gmd(tmp_path_factory.mktemp("gmd"), n=4, bars=18)}')

@pytest.fixture(scope='module')
def trained(gmd, tmp_path_factory):
    "Each tiny config trained once (on first use) for the whole module: name -> (model, checkpoint folder)"
    cache = {}
    def get(name):
        if name not in cache:
            out = tmp_path_factory.mktemp(name)/'run'
            cache[name] = (MusicVAE(get_config(name)).fit(gmd, gmd, out=out, verbose=0), out)
        return cache[name]
    return get

@pytest.mark.parametrize('name', TINY)
def test_tiny_config_trains_samples_interpolates_and_reloads(name, gmd, trained):
    m, run = trained(name)
    assert len(m.history) == 1 and np.isfinite(m.history[0]['loss'])
    s = m.sample(2, seed=5)
    assert [p.steps for p in s] == [m.steps] * 2 and all(isinstance(p, DrumPiece) for p in s)
    path = m.interpolate(gmd.files[0], gmd.files[1], steps=4)
    assert len(path) == 4
    assert len(m.similar(gmd.files[0], 2, closeness=0.7)) == 2
    assert m.history.parts == ['musicvae'] and m.diverged == {}
    again = MusicVAE.load(run)
    assert [p.tensor().tolist() for p in again.sample(2, seed=5)] == [p.tensor().tolist() for p in s]
    r = m.evaluate(gmd.split('test'))
    assert 0 <= r['accuracy_tf'] <= 1 and 0 <= r['accuracy_sampled'] <= 1 and 0 <= r['hit_f1'] <= 1
    if m.hp['humanize']:
        h = m.humanize(gmd.files[0])
        assert np.array_equal(h.hits, m.window(gmd.files[0])[:, :9])

def test_saved_model_generates_the_same_drums_in_a_fresh_process(trained):
    m, run = trained('groovae_4bar-tiny')
    here = [p.tensor().tolist() for p in m.sample(2, seed=9)]
    code = ('import json, sys; from musiclab.models.musicvae import MusicVAE; '
            'print(json.dumps([p.tensor().tolist() for p in MusicVAE.load(sys.argv[1]).sample(2, seed=9)]))')
    r = subprocess.run([sys.executable, '-c', code, str(run)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout.strip().splitlines()[-1]) == here

def test_checkpoint_loads_in_keras_safe_mode(trained):
    import keras
    _, run = trained('hierdec-drums-16bar-tiny')
    net = keras.models.load_model(run/'musicvae.keras', compile=False, safe_mode=True)
    assert net.segments == 16

def test_magenta_parity():
    ref, groove = shared_data('reference'), shared_data('groove')
    if ref is None or groove is None: pytest.skip('../shared/data/reference or ../shared/data/groove is absent: no Magenta parity check')
    res = magenta_parity(ref, groove)
    assert res == {'groove4bar': dict(files=32, windows=129, refused=2), 'drums2bar': dict(files=32, windows=505, refused=2),
                   'groove4bar_tfds': dict(files=30, segments=471, hits_equal=471, equal=471)}   # GrooVAE's TFDS training segments too

def test_groove_round_trip_is_exact(tmp_path):
    rng = np.random.default_rng(3)
    hits = [(q / 4 + rng.uniform(-0.1, 0.1) * (q > 0), int(rng.choice([36, 38, 42, 46, 51, 48])), int(rng.integers(20, 127))) for q in range(64)]
    f = read_drum_midi(_drum_file(tmp_path/'beat.mid', hits, bpm=97))
    g, _ = GrooveConverter(bars=1).grid(f)
    back = DrumPiece.from_tensor(g, tempo=f.qpm, kit='roland').notes()
    got = sorted((n[0], n[3]) for n in back)
    exp = sorted((t, v) for t, _, v in kept_notes(f))
    assert [v for _, v in got] == [v for _, v in exp]
    assert np.abs(np.array([t for t, _ in got]) - [t for t, _ in exp]).max() < 1e-9

def test_bad_drum_input_is_skipped_with_reasons(gmd):
    reasons = dict(gmd.skipped)
    assert 'only 4/4' in reasons['drummer1/session1/90_waltz_120_beat_3-4.mid']
    assert 'no drum notes' in reasons['drummer1/session1/91_piano_120_beat_4-4.mid']
    assert reasons['drummer1/session1/93_gone_120_beat_4-4.mid'] == 'listed in info.csv but missing'
    text = describe(gmd, CategoricalConverter(bars=16))
    assert 'skipped 4 files' in text and 'train:' in text

def test_midi_without_a_usable_window_is_refused_clearly(trained, tmp_path):
    m, run = trained('groovae_4bar-tiny')
    short = _drum_file(tmp_path/'two-bars.mid', [(q / 2, 36, 90) for q in range(16)])
    with pytest.raises(DataError, match='no usable 4-bar window in two-bars: it is shorter than the model'):
        cmd_interpolate(Args(checkpoint=run, a=short, b=short, steps=3, method='slerp', temperature=None, tempo=None, seed=0, out=tmp_path/'x'))
    with pytest.raises(DataError, match='no drum notes'):
        m.encode([_drum_file(tmp_path/'piano.mid', [(q, 60, 90) for q in range(32)], is_drum=False)])

def test_command_functions_write_drums(gmd, trained, tmp_path):
    _, run = trained('groovae_2bar_humanize-tiny')
    a = Path(gmd.files[0].source)
    assert cmd_generate(Args(checkpoint=run, n=2, temperature=0.5, seed=0, tempo=None, length=None, key=None, out=tmp_path/'gen')) == 0
    assert cmd_humanize(Args(checkpoint=run, input=a, seed=0, out=tmp_path/'hum')) == 0
    assert (tmp_path/'gen'/'index.html').exists() and len(list((tmp_path/'hum').glob('*.wav'))) == 2

def test_shipped_checkpoint_and_demo(tmp_path):
    folder = shipped()
    if not (folder/'musiclab.json').exists(): pytest.skip(f'no shipped checkpoint in {folder}')
    size = sum(p.stat().st_size for p in folder.iterdir())
    assert size < 20 * 2 ** 20, f'the shipped checkpoint is {size / 2 ** 20:.1f} MB'
    m = MusicVAE.load(folder)   # saved before the network kept its depths: they come from the converter of its kind
    assert (m.net.in_depth, m.net.out_depth, m.history.parts) == (27, 27, ['musicvae']) and len(m.history) == 30
    [p] = m.sample(1, temperature=0.8, seed=0, tempo=100.0)
    assert p.steps == 64 and p.tempo == 100.0 and p.n_hits > 0
    files = demo(tmp_path/'demo', seed=0)
    assert (tmp_path/'demo'/'index.html') in files and len([f for f in files if f.suffix == '.wav']) == 6

def test_the_converter_sizes_the_network():
    for name, depths in (('groovae_4bar-tiny', (64, 27, 27)), ('cat-drums_2bar_small-tiny', (32, 10, 512)), ('hierdec-drums-16bar-tiny', (256, 10, 512))):
        net, conv = build_net(get_config(name)), MusicVAE(get_config(name)).converter
        assert (net.steps, net.in_depth, net.out_depth) == depths == (conv.steps, conv.input_depth, conv.output_depth)
    old = {k: v for k, v in net.get_config().items() if k not in ('in_depth', 'out_depth')}   # a network config saved before the depths were kept
    again = MusicVAENet.from_config(old)
    assert (again.in_depth, again.out_depth, again.count_params()) == (10, 512, net.count_params())
    with pytest.raises(ConfigError, match='2\\*\\*classes'): MusicVAENet('categorical', steps=32, in_depth=10, out_depth=27)

def test_tempo_and_title_are_the_controls(trained):
    m, _ = trained('groovae_4bar-tiny')
    a, b = m.sample(2, seed=1, tempo=90, title='{name} groove {i} of {n}')
    assert (a.tempo, a.title, b.title) == (90.0, 'groovae_4bar-tiny groove 1 of 2', 'groovae_4bar-tiny groove 2 of 2')
    path = m.interpolate(a, b, 3, tempo=80, title='step {i}')
    assert [(p.tempo, p.title) for p in path] == [(80.0, 'step 1'), (80.0, 'step 2'), (80.0, 'step 3')]
    with pytest.raises(ConfigError, match='MusicVAE.sample does not understand key'): m.sample(1, key='C major')
    with pytest.raises(ConfigError, match='does not understand similarity'): m.similar(a, 2, similarity=0.5)

def test_a_checkpoint_whose_converter_does_not_fit_its_network_is_refused(trained, tmp_path):
    import shutil
    _, run = trained('groovae_4bar-tiny')
    shutil.copytree(run, tmp_path/'mixed', ignore=shutil.ignore_patterns('train'))
    meta = json.loads((tmp_path/'mixed'/'musiclab.json').read_text())
    meta['converter']['bars'] = 2
    (tmp_path/'mixed'/'musiclab.json').write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match='reads 64 steps of 27 features and writes 27, but the converter in musiclab.json makes 32 steps') as e:
        MusicVAE.load(tmp_path/'mixed')
    assert str(tmp_path/'mixed') in str(e.value)

def _cli_has(cmd):
    r = run_musiclab(cmd, '--help')
    assert r.returncode == 0, f'`musiclab {cmd}` is missing from the command line'

def test_cli_train_generate_interpolate_humanize(gmd, tmp_path):
    _cli_has('interpolate'); _cli_has('humanize')
    root = Path(gmd.files[0].source).parents[2]
    r = run_musiclab('train', 'musicvae', '--config', 'groovae_2bar_humanize-tiny', '--data', f'gmd:{root}', '--out', str(tmp_path/'run'), timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert run_musiclab('generate', '--checkpoint', str(tmp_path/'run'), '--n', '2', '--temperature', '0.5', '--out', str(tmp_path/'gen')).returncode == 0
    a, b = gmd.files[0].source, gmd.files[1].source
    assert run_musiclab('interpolate', '--checkpoint', str(tmp_path/'run'), '--a', a, '--b', b, '--steps', '3', '--out', str(tmp_path/'i')).returncode == 0
    assert run_musiclab('humanize', '--checkpoint', str(tmp_path/'run'), '--input', a, '--out', str(tmp_path/'h')).returncode == 0
    short = _drum_file(tmp_path/'one-bar.mid', [(q / 2, 36, 90) for q in range(8)])
    r = run_musiclab('interpolate', '--checkpoint', str(tmp_path/'run'), '--a', str(short), '--b', b, '--steps', '3', '--out', str(tmp_path/'x'))
    assert r.returncode == 1 and 'no usable 2-bar window' in r.stderr and 'Traceback' not in r.stderr, r.stderr[-1500:]

def test_cli_data_prints_the_drum_summary(gmd):
    root = Path(gmd.files[0].source).parents[2]
    r = run_musiclab('data', f'gmd:{root}')
    assert r.returncode == 0, r.stderr[-1500:]
    assert 'skipped 4 files' in r.stdout and 'listed in info.csv but missing' in r.stdout
