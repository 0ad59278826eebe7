"""The spectrogram VAE end to end, as a user runs it: spectrograms of rendered pieces (and bad audio input), real training
steps of specvae-tiny with checkpoints and resume, a NaN loss that keeps the last good epoch, sampling (no controls), the
latent face (sigma from the full covariance), saving and reloading in a fresh process (the mixture prior included),
safe-mode loading, the shipped checkpoint and the demo, and `musiclab train specvae` / `musiclab generate` on the command line."""
import json, subprocess, sys, zipfile
from pathlib import Path
import numpy as np
import pytest
from conftest import ROOT, run_musiclab

@pytest.fixture(scope='module')
def data():
    from musiclab.audio import load_audio
    return load_audio('rendered:m21-piano', sample_rate=4000, limit=3)

@pytest.fixture(scope='module')
def run(data, tmp_path_factory):
    from musiclab.core import get_config
    from musiclab.models.specvae import SpecVAEModel
    out = tmp_path_factory.mktemp('specvae')/'run'
    cfg = get_config('specvae-tiny', epochs=2)
    train, valid = data.split(cfg['val_frac'], cfg['seed'])
    SpecVAEModel(cfg).fit(train, valid, out=out, verbose=0)
    return out

def test_checkpoint_layout_and_real_training(run):
    assert {p.name for p in run.iterdir()} >= {'musiclab.json', 'vae.keras', 'train'}
    meta = json.loads((run/'musiclab.json').read_text())
    assert meta['model'] == 'specvae' and meta['config']['name'] == 'specvae-tiny'
    h = meta['history']
    assert [e['epoch'] for e in h] == [0, 1] and {'loss', 'rec', 'kl', 'val_loss'} <= set(h[0])
    assert all(np.isfinite(e['loss']) for e in h) and h[1]['loss'] < h[0]['loss']   # two epochs of real steps lowered the loss
    assert {e['part'] for e in h} == {'vae'} and 'diverged' not in meta['data']
    assert meta['data']['specs']['train'] > 0 and meta['data']['valid'] and not set(meta['data']['train']) & set(meta['data']['valid'])

def test_train_again_resumes(run, data, capsys):
    from musiclab.core import get_config
    from musiclab.models.specvae import SpecVAEModel
    cfg = get_config('specvae-tiny', epochs=3)
    m = SpecVAEModel(cfg).fit(*data.split(cfg['val_frac'], cfg['seed']), out=run, verbose=1)
    assert 'resuming after epoch 2' in capsys.readouterr().out
    assert [h['epoch'] for h in m.history] == [0, 1, 2]

def test_resuming_or_loading_with_other_sizes_is_a_checkpoint_error(run, data, tmp_path):
    from musiclab.core import CheckpointError, get_config
    from musiclab.models.specvae import SpecVAEModel
    cfg = get_config('specvae-tiny', bins=16, frames=16, epochs=3)
    with pytest.raises(CheckpointError, match=r'trained with other settings \(bins 32 there, 16 now; frames 32 there, 16 now\)'):
        SpecVAEModel(cfg).fit(*data.split(cfg['val_frac'], cfg['seed']), out=run, verbose=0)
    assert SpecVAEModel.load(run).shape == (32, 32)   # the run's checkpoint is untouched
    import shutil   # the network beside a musiclab.json that says 5 components
    meta = json.loads((run/'musiclab.json').read_text()); meta['config']['hparams']['components'] = 5
    (tmp_path/'copy').mkdir(); (tmp_path/'copy'/'musiclab.json').write_text(json.dumps(meta)); shutil.copy(run/'vae.keras', tmp_path/'copy')
    with pytest.raises(CheckpointError, match=r'copy: this checkpoint was made for other spectrograms or latents: components 3 \(this config: 5\)'):
        SpecVAEModel.load(tmp_path/'copy')

_SAMPLE = '''
import json, sys
from musiclab.models.specvae import SpecVAEModel
m = SpecVAEModel.load(sys.argv[1])
print(json.dumps(dict(specs=[p.spec[::3, ::3].tolist() for p in m.sample(2, seed=5, temperature=0.7)], means=m.prior_params()[0].tolist())))
'''

def test_reload_in_a_fresh_process_generates_the_same(run):
    from musiclab.models.specvae import SpecVAEModel
    m = SpecVAEModel.load(run)
    here = [p.spec[::3, ::3].tolist() for p in m.sample(2, seed=5, temperature=0.7)]
    out = subprocess.run([sys.executable, '-c', _SAMPLE, str(run)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    there = json.loads(out.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(np.array(there['specs']), np.array(here), atol=1e-6)
    assert here[0] != here[1]
    # the prior's means are weights of the model: trained away from their initial values, and equal after reloading
    np.testing.assert_array_equal(np.array(there['means'], np.float32), m.prior_params()[0])
    from musiclab.core import get_config
    from musiclab.models.specvae import SpecVAE
    fresh = SpecVAE(get_config('specvae-tiny').hparams)
    assert not np.allclose(fresh.prior.means.numpy(), m.prior_params()[0])

def test_prior_weights_are_in_the_keras_file_and_load_in_safe_mode(run):
    cfg = json.loads(zipfile.ZipFile(run/'vae.keras').read('config.json'))
    assert cfg['class_name'] == 'SpecVAE' and cfg['registered_name'] == 'musiclab>SpecVAE'
    assert 'lambda' not in json.dumps(cfg).lower()
    from musiclab.train import load_model
    net = load_model(run/'vae.keras', compile=False)          # safe_mode=True inside
    assert {v.path for v in net.prior.weights} == {'prior/means', 'prior/raw_scales'}

def test_generated_pieces_save_wav_and_image(run, tmp_path):
    import soundfile
    from musiclab.models.specvae import SpecVAEModel
    m = SpecVAEModel.load(run)
    [p] = m.sample(1, seed=0)
    files = p.save(tmp_path, 'clip')
    x, sr = soundfile.read(files['wav'])
    assert sr == 16000 and abs(len(x) - m.params.seconds * 16000) <= 1 and np.abs(x).max() > 0
    assert files['png'].read_bytes()[:4] == b'\x89PNG' and p.title
    path = m.interpolate(m.sample(1, seed=1)[0], m.sample(1, seed=2)[0], steps=3)
    assert len(path) == 3 and path[0].spec.shape == (32, 32)

def test_a_nan_loss_keeps_the_last_good_epoch(data, tmp_path, capsys):
    "Training never continues on NaN: it stops, the model says which epoch went bad, and the checkpoint is the last good one"
    from test_face import NaNAt   # (tests/test_face.py runs the same check on every family; this one reads the files too)
    from musiclab.core import get_config
    from musiclab.models.specvae import SpecVAEModel
    from musiclab.train import read_state
    cfg = get_config('specvae-tiny', epochs=3)
    m = SpecVAEModel(cfg).fit(*data.split(cfg['val_frac'], cfg['seed']), out=tmp_path/'nan', callbacks=[NaNAt(1)], verbose=0)
    said = 'the loss became NaN or infinite in epoch 2; the model of epoch 1 was kept'
    assert m.diverged == {'vae': said} and said in capsys.readouterr().out
    assert read_state(tmp_path/'nan'/'train')['epoch'] == 0 and [h['epoch'] for h in m.history] == [0]
    back = SpecVAEModel.load(tmp_path/'nan')
    assert all(np.isfinite(w).all() for w in back.net.get_weights())
    assert 'diverged' not in json.loads((tmp_path/'nan'/'musiclab.json').read_text())['data']
    np.testing.assert_array_equal(back.sample(1, seed=2)[0].spec, m.sample(1, seed=2)[0].spec)

def test_training_never_continues_on_nan(data, tmp_path):
    "A NaN loss in the first epoch leaves no good epoch to keep: that is one clear error"
    from musiclab.core import MusiclabError, get_config
    from musiclab.models.specvae import SpecVAEModel
    cfg = get_config('specvae-tiny', kl_weight=float('nan'), epochs=3)
    with pytest.raises(MusiclabError, match='the loss became NaN or infinite in the first epoch'):
        SpecVAEModel(cfg).fit(*data.split(cfg['val_frac'], cfg['seed']), out=tmp_path/'nan', verbose=0)
    assert not (tmp_path/'nan'/'train'/'last.keras').exists()

def test_bad_input_is_one_clear_error(tmp_path, data, run):
    from musiclab.audio import AudioItem, AudioPiece
    from musiclab.core import DataError
    from musiclab.models.specvae import SpecVAEModel
    from musiclab.spectrogram import SpecParams, spectrogram
    m = SpecVAEModel.load(run)
    short = AudioItem('short', str(tmp_path/'short.wav'), '', np.full(200, 0.3, np.float32), 4000, 4000, 1)
    with pytest.raises(DataError, match=r'short\.wav: no clip: 0\.05 s is shorter than 0\.5 of a 0\.26 s clip'): m.cut([short])
    p = SpecParams.of(m.hp)
    with pytest.raises(DataError, match='silent.wav: silent: the spectrogram is all zeros'): spectrogram(np.zeros(2000, np.float32), p, 'silent.wav')
    with pytest.raises(DataError, match='loud.wav: NaN or infinite values after scaling'): spectrogram(np.full(2000, 3e38, np.float32), p, 'loud.wav')
    with pytest.raises(DataError, match=r'32x32 spectrograms expected \(specvae-tiny\), got shape \(1, 64, 64\)'): m.encode(np.zeros((1, 64, 64)))
    with pytest.raises(DataError, match='NaN or infinite'): m.encode(np.full((1, 32, 32), np.nan))
    lat = m.encode(AudioPiece(data[0].audio[:2000], 4000))     # a clip is turned into an image at the model's rate
    assert lat.mu.shape == lat.sigma.shape == lat.z.shape == (1, 4)
    q = m.net.posterior(m.as_images(AudioPiece(data[0].audio[:2000], 4000)))
    L = q.scale.to_dense().numpy()[0]
    np.testing.assert_allclose(lat.sigma[0], np.sqrt(np.diag(L @ L.T)), rtol=1e-5)   # sigma: sqrt of the diagonal of L L^T
    np.testing.assert_allclose(lat.mu[0], q.loc.numpy()[0], atol=1e-6)
    with pytest.raises(DataError, match=r'short\.wav: no clip'): m.encode([data[0], short])   # a recording with no image
    from musiclab.core import ConfigError
    with pytest.raises(ConfigError, match=r'SpecVAEModel.sample does not understand key \(specvae-tiny: it takes none\)'): m.sample(1, key='C major')

def test_shipped_checkpoint_and_demo(tmp_path):
    from musiclab.core import asset, get_config
    from musiclab.models.specvae import SpecVAEModel, demo
    folder = asset('specvae-small')
    if not (folder/'musiclab.json').exists(): pytest.skip(f'no shipped checkpoint in {folder}')
    size = sum(p.stat().st_size for p in folder.iterdir())
    assert size < 20 * 2 ** 20, f'the shipped checkpoint is {size / 2 ** 20:.1f} MB'
    m = SpecVAEModel.load(folder)
    assert m.config.name == 'specvae-small' and m.shape == (128, 128)
    work = asset('specvae-working-small')   # what the demo plays: the model made to work (bench/working.py)
    size = sum(p.stat().st_size for p in work.iterdir())
    assert size < 20 * 2 ** 20, f'the shipped working checkpoint is {size / 2 ** 20:.1f} MB'
    w = SpecVAEModel.load(work)
    assert w.config.name == 'specvae-working-small' and type(w.net.prior).__name__ == 'ColumnPrior' and w.data['valid'], w.data
    SpecVAEModel(get_config(w.config.name)).check_net(w.net, work, 'the shipped working checkpoint')   # made by today's config (its latent sequence too)
    files = demo(tmp_path/'demo', seed=0)
    assert {f.name for f in files} == {'specvae.wav', 'specvae.png', 'specvae.svg', 'index.html'}
    assert 'specvae.wav' in (tmp_path/'demo'/'index.html').read_text()

def _cli_has_specvae():
    from musiclab import cli
    assert 'specvae' in cli.MODELS, 'the spectrogram VAE is missing from the command line'

def test_cli_train_and_generate(tmp_path):
    _cli_has_specvae()
    r = run_musiclab('train', 'specvae', '--config', 'specvae-tiny', '--data', 'rendered:m21-piano', '--epochs', '1', '--out', str(tmp_path/'run'), timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'trained specvae-tiny in' in r.stdout
    r = run_musiclab('generate', '--checkpoint', str(tmp_path/'run'), '--n', '2', '--seed', '1', '--out', str(tmp_path/'gen'), timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    import soundfile
    for i in (1, 2):
        x, sr = soundfile.read(tmp_path/'gen'/f'piece-{i}.wav')
        assert sr == 16000 and abs(len(x) - 1024 * 16000 / 4000) <= 1   # 32 frames of 32 samples at 4 kHz, resampled to 16 kHz
        assert (tmp_path/'gen'/f'piece-{i}.png').exists()
