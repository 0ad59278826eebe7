"""The waveform VAE end to end, as a user runs it: audio data from rendered pieces (and bad audio input), training a tiny
model with checkpoints and resume, sampling (no controls), the latent face
(encode, decode, interpolate, similar), saving and reloading in a fresh process, a checkpoint of other sizes refused, the
shipped checkpoint and the demo, and `musiclab train wavevae` / `musiclab generate` on the command line."""
import json, os, subprocess, sys
from pathlib import Path
import numpy as np
import pytest
from conftest import ROOT, run_musiclab

@pytest.fixture(scope='module')
def data():
    from musiclab.audio import load_audio
    return load_audio('rendered:m21-piano', sample_rate=3000, limit=3)

@pytest.fixture(scope='module')
def run(data, tmp_path_factory):
    from musiclab.core import get_config
    from musiclab.models.wavevae import WaveVAEModel
    out = tmp_path_factory.mktemp('wavevae')/'run'
    cfg = get_config('wavevae-tiny', epochs=2)
    train, valid = data.split(cfg['val_frac'], cfg['seed'])
    WaveVAEModel(cfg).fit(train, valid, out=out, verbose=0)
    return out

def test_checkpoint_layout(run):
    assert {p.name for p in run.iterdir()} >= {'musiclab.json', 'vae.keras', 'train'}
    meta = json.loads((run/'musiclab.json').read_text())
    assert meta['model'] == 'wavevae' and meta['config']['name'] == 'wavevae-tiny'
    assert [h['epoch'] for h in meta['history']] == [0, 1] and {'loss', 'rec', 'kl', 'val_loss'} <= set(meta['history'][0])
    assert {h['part'] for h in meta['history']} == {'vae'} and meta['converter'] == {'sample_rate': 3000, 'clip_samples': 3001, 'hop_samples': 3001, 'min_fill': 0.5, 'norm': 'peak', 'level': 0.95} and 'diverged' not in meta['data']
    assert meta['data']['clips']['train'] > 0 and meta['data']['valid'] and not set(meta['data']['train']) & set(meta['data']['valid'])
    assert any((run/'train'/'logs').rglob('*tfevents*'))

def test_train_again_resumes(run, data, capsys):
    from musiclab.core import get_config
    from musiclab.models.wavevae import WaveVAEModel
    cfg = get_config('wavevae-tiny', epochs=3)
    m = WaveVAEModel(cfg).fit(*data.split(cfg['val_frac'], cfg['seed']), out=run, verbose=1)
    assert 'resuming after epoch 2' in capsys.readouterr().out
    assert [h['epoch'] for h in m.history] == [0, 1, 2]

_SAMPLE = '''
import json, sys
from musiclab.models.wavevae import WaveVAEModel
m = WaveVAEModel.load(sys.argv[1])
print(json.dumps([p.audio[::97].tolist() for p in m.sample(2, seed=5, temperature=0.7)]))
'''

def test_reload_in_a_fresh_process_generates_the_same(run):
    from musiclab.models.wavevae import WaveVAEModel
    here = [p.audio[::97].tolist() for p in WaveVAEModel.load(run).sample(2, seed=5, temperature=0.7)]
    out = subprocess.run([sys.executable, '-c', _SAMPLE, str(run)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    there = json.loads(out.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(np.array(there), np.array(here), atol=1e-6)
    assert len(here[0]) > 20 and here[0] != here[1]

def test_sample_takes_no_controls_and_the_latent_face(run, data):
    from musiclab.core import ConfigError
    from musiclab.model import Latent
    from musiclab.models.wavevae import WaveVAEModel
    m = WaveVAEModel.load(run)
    for bad in (dict(key='C major'), dict(tempo=90), dict(length=100)):   # accepted and ignored before: refused now
        with pytest.raises(ConfigError, match=f"WaveVAEModel.sample does not understand {next(iter(bad))} \\(wavevae-tiny: it takes none\\)"):
            m.sample(1, **bad)
    recs = data.items[:2]
    lat = m.encode(recs)                                   # a recording stands for its first clip, cut as validation clips are
    assert isinstance(lat, Latent) and [a.shape for a in lat] == [(2, 2)] * 3
    mean, logvar = m.net.posterior(m.cut(recs[:1], train=False).x[:1])
    np.testing.assert_allclose(lat.mu[0], np.asarray(mean)[0], atol=1e-6)
    np.testing.assert_allclose(lat.sigma[0], np.exp(0.5 * np.asarray(logvar))[0], rtol=1e-5)   # sigma: the standard deviation
    arc, line = m.interpolate(recs[0], recs[1], 3), m.interpolate(recs[0], recs[1], 3, method='lerp')
    np.testing.assert_allclose(arc[0].audio, m.decode(lat.mu[0])[0].audio, atol=1e-5)   # one code, or three in a batch: float32 rounding
    np.testing.assert_allclose(arc[-1].audio, line[-1].audio, atol=1e-5)
    assert not np.allclose(arc[1].audio, line[1].audio)    # slerp (the default) and lerp part in the middle
    np.testing.assert_allclose(m.similar(recs[0], 2, closeness=1.0)[1].audio, arc[0].audio, atol=1e-5)
    with pytest.raises(ConfigError, match='WaveVAEModel.similar does not understand similarity'): m.similar(recs[0], 2, similarity=0.5)   # now `closeness`

def test_a_checkpoint_of_other_sizes_is_refused(run, data, tmp_path):
    import shutil
    from musiclab.core import CheckpointError, get_config
    from musiclab.models.wavevae import WaveVAEModel
    shutil.copytree(run, tmp_path/'copy', ignore=shutil.ignore_patterns('train'))
    meta = json.loads((tmp_path/'copy'/'musiclab.json').read_text())
    meta['config']['hparams']['kernel'] = 7
    (tmp_path/'copy'/'musiclab.json').write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match=r'copy: this checkpoint was made for other clips or networks: kernel 5 \(this config: 7\)'):
        WaveVAEModel.load(tmp_path/'copy')
    cfg = get_config('wavevae-tiny', latent_dim=3, epochs=3)   # a run that goes on from a checkpoint of another latent size
    with pytest.raises(CheckpointError, match=r'trained with other settings \(latent_dim 2 there, 3 now\)'):
        WaveVAEModel(cfg).fit(*data.split(cfg['val_frac'], cfg['seed']), out=run, verbose=0)

def test_saved_clips_are_wav_files(run, tmp_path):
    import soundfile
    from musiclab.models.wavevae import WaveVAEModel
    [p] = WaveVAEModel.load(run).sample(1, seed=0)
    files = p.save(tmp_path, 'clip')
    x, sr = soundfile.read(files['wav'])
    assert sr == 16000 and abs(len(x) - p.seconds * 16000) <= 1 and '<svg' in files['svg'].read_text()[:1000]

def test_the_seed_config_builds_the_seed_network():
    "wavevae-seed is the seed's dense-in-disguise network: 12.1 million weights, clips as one step of 90,001 channels"
    from musiclab.core import get_config
    from musiclab.models.wavevae import WaveVAE
    net = WaveVAE(get_config('wavevae-seed').hparams)
    assert net.encoder.get_layer('one_step_many_channels').output.shape == (None, 1, 90_001)
    assert 12_000_000 < net.count_params() < 12_200_000
    small = WaveVAE(get_config('wavevae-small').hparams)
    assert small.encoder.get_layer('time_by_one_channel').output.shape == (None, 90_001, 1)

def test_safe_mode_load_needs_no_code_from_the_file(run):
    "vae.keras holds only registered musiclab classes and Keras layers: it loads with safe_mode=True"
    import zipfile
    cfg = json.loads(zipfile.ZipFile(run/'vae.keras').read('config.json'))
    assert cfg['class_name'] == 'WaveVAE' and cfg['registered_name'] == 'musiclab>WaveVAE'
    assert 'lambda' not in json.dumps(cfg).lower()

def test_bad_audio_input_is_one_clear_error_or_a_skip(tmp_path):
    import soundfile
    from musiclab.audio import load_audio
    from musiclab.core import DataError
    (tmp_path/'empty').mkdir()
    with pytest.raises(DataError, match='no audio files'): load_audio(f'audio:{tmp_path/"empty"}')
    folder = tmp_path/'mixed'; folder.mkdir()
    soundfile.write(folder/'ok.wav', 0.3 * np.sin(np.arange(30000) / 7), 11025)
    (folder/'fake.wav').write_text('not audio')
    soundfile.write(folder/'silent.flac', np.zeros(8000), 8000)
    s = load_audio(f'audio:{folder}')
    assert [i.name for i in s.items] == ['ok'] and len(s.skipped) == 2
    assert 'fake.wav: not a readable audio file' in s.report() and 'silent' in s.report()
    with pytest.raises(DataError, match="unknown genre 'rock'"):
        g = tmp_path/'g'/'genres'/'jazz'; g.mkdir(parents=True); soundfile.write(g/'jazz.00000.wav', np.ones(100) * 0.1, 3000)
        load_audio(f'gtzan:{tmp_path/"g"}:rock')

def test_shipped_checkpoint_and_demo(tmp_path):
    from musiclab.core import asset
    from musiclab.models.wavevae import WaveVAEModel, demo
    folder = asset('wavevae-small')
    if not (folder/'musiclab.json').exists(): pytest.skip(f'no shipped checkpoint in {folder}')
    size = sum(p.stat().st_size for p in folder.iterdir())
    assert size < 20 * 2 ** 20, f'the shipped checkpoint is {size / 2 ** 20:.1f} MB'
    m = WaveVAEModel.load(folder)
    assert m.config.name == 'wavevae-small' and m.hp['latent_dim'] == 2
    work = asset('wavevae-working-small')   # what the demo plays: the model made to work (bench/working.py)
    size = sum(p.stat().st_size for p in work.iterdir())
    assert size < 20 * 2 ** 20, f'the shipped working checkpoint is {size / 2 ** 20:.1f} MB'
    w = WaveVAEModel.load(work)
    assert w.config.name == 'wavevae-working-small' and w.hp['arch'] == 'seq' and w.data['valid'], w.data   # it says which pieces it never trained on
    files = demo(tmp_path/'demo', seed=0)
    assert {f.name for f in files} == {'wavevae.wav', 'wavevae.svg', 'index.html'}
    assert 'wavevae.wav' in (tmp_path/'demo'/'index.html').read_text()

def _cli_has_wavevae():
    from musiclab import cli
    assert 'wavevae' in cli.MODELS, 'the waveform VAE is missing from the command line'

def test_cli_train_and_generate(tmp_path):
    _cli_has_wavevae()
    r = run_musiclab('train', 'wavevae', '--config', 'wavevae-tiny', '--data', 'rendered:m21-piano', '--epochs', '1', '--out', str(tmp_path/'run'), timeout=600,
                     env={k: v for k, v in os.environ.items() if k != 'TF_ENABLE_ONEDNN_OPTS'})
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'trained wavevae-tiny in' in r.stdout and '1 epochs, oneDNN kernels)' in r.stdout and 'rendered:m21-piano: 11 recordings' in r.stdout
    r = run_musiclab('generate', '--checkpoint', str(tmp_path/'run'), '--n', '2', '--seed', '1', '--out', str(tmp_path/'gen'), timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    import soundfile
    for i in (1, 2):
        x, sr = soundfile.read(tmp_path/'gen'/f'piece-{i}.wav')
        assert sr == 16000 and abs(len(x) - 3001 * 16000 / 3000) <= 1   # 3001 samples at 3 kHz, resampled to 16 kHz
    assert 'piece-2.wav' in (tmp_path/'gen'/'index.html').read_text()

def test_cli_bad_audio_spec_is_one_line(tmp_path):
    _cli_has_wavevae()
    r = run_musiclab('train', 'wavevae', '--config', 'wavevae-tiny', '--data', f'audio:{tmp_path}', '--out', str(tmp_path/'run'))
    assert r.returncode == 1 and 'Traceback' not in r.stderr
    # TensorFlow's C++ start-up lines go to stderr before Python runs (no setting silences them); ours is the one error line
    assert [l for l in r.stderr.splitlines() if l.startswith('musiclab')] == [f'musiclab: error: {tmp_path}: no audio files (.wav .flac .ogg .mp3) in this folder (it is empty)']
