"""The fusion system (RNN-VAE-GAN) end to end: train the tiny config, resume, generate, reload in a fresh process and
get the same pieces, encode and interpolate, and the bad input a user can meet: checkpoints of another model or with
vocabularies of another run, other data in a finished run's folder, latents of the wrong size. (Training that diverges is
tested for every family, this one included, in test_face.py.) Uses the `musiclab` command where it knows the fusion model,
Python otherwise."""
import json, shutil, subprocess, sys
import numpy as np
import pytest
from conftest import ROOT, run_musiclab

def _cli_knows_fusion():
    from musiclab.cli import MODELS
    return 'fusion' in MODELS

def _train(out, epochs, **overrides):
    "Train fusion-tiny on m21-piano into `out` as `musiclab train` does (its split, its config)"
    from musiclab.core import get_config
    from musiclab.corpus import load_corpus
    from musiclab.models.fusion import FusionModel
    cfg = get_config('fusion-tiny', **overrides)
    train, valid = load_corpus('m21-piano').split(val_frac=cfg['val_frac'], seed=cfg['seed'])
    return FusionModel(cfg).fit(train, valid, out=out, epochs=epochs, verbose=1)

def _items():
    from musiclab.corpus import load_corpus
    items = {it.name: it for it in load_corpus('m21-piano').items}
    return items['chopin/mazurka06-2'], items['joplin/maple_leaf_rag'], items['schoenberg/opus19/movement6']

@pytest.fixture(scope='module')
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp('fusion')/'run'
    if _cli_knows_fusion():
        r = run_musiclab('train', 'fusion', '--config', 'fusion-tiny', '--data', 'm21-piano', '--epochs', '2', '--out', str(out), timeout=600)
        assert r.returncode == 0, r.stderr[-2000:]
        assert 'trained fusion-tiny in' in r.stdout
    else: _train(out, 2)
    return out

@pytest.fixture(scope='module')
def model(run):
    from musiclab.models.fusion import FusionModel
    return FusionModel.load(run)

def test_checkpoint_layout(run):
    assert {p.name for p in run.iterdir()} >= {'musiclab.json', 'treble.keras', 'bass.keras', 'train'}
    meta = json.loads((run/'musiclab.json').read_text())
    assert meta['model'] == 'fusion' and meta['config']['name'] == 'fusion-tiny'
    assert meta['converter']['vocab']['treble'][0] == '<unk>'
    for clef in ('treble', 'bass'):
        h = [e for e in meta['history'] if e['part'] == clef]   # one record an epoch, each naming its clef
        assert [e['epoch'] for e in h] == [0, 1]
        assert {'recon_loss', 'kl_loss', 'adv_loss', 'd_note_loss', 'd_dur_loss', 'distinct_4grams', 'val_d_note_acc'} <= set(h[0])
        assert (run/'train'/clef/'last.keras').exists()   # the whole GAN, critics and optimizers included
        assert any((run/'train'/clef/'logs').rglob('*tfevents*'))   # TensorBoard

def test_train_again_resumes(run, capsys):
    "The same command on a finished run resumes after its last epoch instead of starting over"
    if _cli_knows_fusion():
        r = run_musiclab('train', 'fusion', '--config', 'fusion-tiny', '--data', 'm21-piano', '--epochs', '3', '--out', str(run), timeout=600)
        assert r.returncode == 0, r.stderr[-2000:]
        printed = r.stdout
    else: _train(run, 3); printed = capsys.readouterr().out
    assert 'treble: resuming after epoch 2' in printed and 'bass: resuming after epoch 2' in printed
    assert [h['epoch'] for h in json.loads((run/'musiclab.json').read_text())['history'] if h['part'] == 'treble'] == [0, 1, 2]

_SAMPLE = '''
import json, sys
from musiclab.corpus import load_corpus
from musiclab.models.fusion import FusionModel
items = {it.name: it for it in load_corpus('m21-piano').items}
m = FusionModel.load(sys.argv[1])
[p] = m.sample(1, length=40, seed=11, temperature=1.2)
walk = m.interpolate(items['chopin/mazurka06-2'], items['joplin/maple_leaf_rag'], steps=3, seed=2)
print(json.dumps([[[list(ps), str(d)] for ps, d in q.treble + q.bass] for q in [p] + walk]))
'''

def test_reload_in_a_fresh_process_generates_the_same(run, model):
    a, b, _ = _items()
    [p] = model.sample(1, length=40, seed=11, temperature=1.2)
    walk = model.interpolate(a, b, steps=3, seed=2)
    here = [[[list(ps), str(d)] for ps, d in q.treble + q.bass] for q in [p] + walk]
    out = subprocess.run([sys.executable, '-c', _SAMPLE, str(run)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == here
    assert len(here[0]) > 20

def test_sample_is_seeded_and_keyed(model):
    a, b = model.sample(2, length=40, seed=3), model.sample(2, length=40, seed=3)
    assert [p.treble for p in a] == [p.treble for p in b] and a[0].treble != a[1].treble
    assert model.sample(1, length=40, seed=4)[0].treble != a[0].treble
    [p] = model.sample(1, length=40, seed=3, key='E minor', tempo=120)
    assert (p.key, p.tempo) == ('E minor', 120)

def test_encode_decode_interpolate(model):
    from musiclab.core import ConfigError, DataError
    from musiclab.model import Latent
    from musiclab.models.fusion import Phrase
    a, b, short = _items()
    lat = model.encode([a, Phrase(b, start=32)])
    assert isinstance(lat, Latent) and [x.shape for x in lat] == [(2, model.latent_size)] * 3 and model.latent_size == 2 * model.code_size
    za, zb = model.encode([a]).mu, model.encode([Phrase(b, 32)]).mu
    np.testing.assert_allclose(np.concatenate([za, zb]), lat.mu, atol=1e-5)
    walk = model.interpolate(a, Phrase(b, 32), steps=4, seed=5)
    assert len(walk) == 4 and all(p.treble and p.bass for p in walk)
    assert walk[0].treble == model.decode(za, seed=5)[0].treble and walk[-1].bass == model.decode(zb, seed=5)[0].bass
    g1, g2 = model.interpolate(a, b, steps=2, temperature=0), model.interpolate(a, b, steps=2, temperature=0, seed=9)
    assert [p.treble for p in g1] == [p.treble for p in g2]   # greedy decoding (temperature 0) does not depend on the seed
    assert len(model.similar(a, n=3, closeness=0.5)) == 3
    with pytest.raises(ConfigError, match=f"decodes codes of {model.latent_size} numbers"): model.decode(np.zeros((1, 5)))
    with pytest.raises(DataError, match='a phrase needs 16') as e: model.encode([Phrase(short, start=10)])
    assert 'movement6' in str(e.value)

def test_generate_from_the_command_line(run, tmp_path):
    assert _cli_knows_fusion(), 'the fusion model is missing from the `musiclab` command'
    r = run_musiclab('generate', '--checkpoint', str(run), '--out', str(tmp_path), '--length', '40', '--n', '2', '--key', 'E minor', '--seed', '3')
    assert r.returncode == 0, r.stderr[-2000:]
    assert all((tmp_path/f'piece-{i}.{ext}').exists() for i in (1, 2) for ext in ('mid', 'wav', 'svg', 'musicxml'))

def test_checkpoints_that_do_not_fit_get_one_clear_error(run, tmp_path):
    from musiclab.core import CheckpointError
    from musiclab.models.fusion import FusionModel
    lstm = ROOT/'musiclab'/'assets'/'lstm-small'
    with pytest.raises(CheckpointError, match='a lstm checkpoint, not a fusion one'): FusionModel.load(lstm)
    bad = shutil.copytree(run, tmp_path/'bad', ignore=shutil.ignore_patterns('train'))
    meta = json.loads((bad/'musiclab.json').read_text())
    meta['converter']['vocab']['bass'] = meta['converter']['vocab']['bass'][:-2]   # vocabularies of another run
    (bad/'musiclab.json').write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match='they come from different runs') as e: FusionModel.load(bad)
    assert str(bad/'bass.keras') in str(e.value)
    shutil.copy(run/'musiclab.json', bad/'musiclab.json'); shutil.copy(lstm/'treble.keras', bad/'treble.keras')
    with pytest.raises(CheckpointError, match='not a fusion generator') as e: FusionModel.load(bad)
    assert str(bad/'treble.keras') in str(e.value)

def test_other_data_in_a_finished_run_is_refused(run, tmp_path):
    "Resuming a run on data with other vocabularies would silently mismatch the networks: refused, naming the folder"
    import pretty_midi
    from musiclab.core import CheckpointError, get_config
    from musiclab.corpus import load_corpus
    from musiclab.models.fusion import FusionModel
    for k in range(2):
        pm = pretty_midi.PrettyMIDI(initial_tempo=100)
        for name, pitches in (('Treble', (72, 74, 76, 79 + k)), ('Bass', (48, 43, 41, 36))):
            ins = pretty_midi.Instrument(0, name=name)
            ins.notes = [pretty_midi.Note(80, p, i * 0.5, i * 0.5 + 0.5) for i, p in enumerate(pitches * 10)]
            pm.instruments.append(ins)
        pm.write(str(tmp_path/f'tune{k}.mid'))
    other = shutil.copytree(run, tmp_path/'run')
    items = load_corpus(f'midi:{tmp_path}', cache=False).items
    before = (other/'musiclab.json').read_text()
    with pytest.raises(CheckpointError, match='trained with other vocabularies') as e:   # a finished run
        FusionModel(get_config('fusion-tiny')).fit(items, [], out=other, verbose=0)
    assert 'train/treble' in str(e.value)
    with pytest.raises(CheckpointError, match='trained with other vocabularies'):       # a run that would train on
        FusionModel(get_config('fusion-tiny')).fit(items, [], out=other, epochs=5, verbose=0)
    assert (other/'musiclab.json').read_text() == before   # the run's model is left as it was

def test_shipped_checkpoint():
    "The small checkpoint shipped for `musiclab demo`: under 20 MB, loads in safe mode, writes a piece"
    from musiclab.models.fusion import FusionModel
    path = ROOT/'musiclab'/'assets'/'fusion-small'
    if not path.exists(): pytest.skip('no shipped fusion-small checkpoint in this checkout')
    assert sum(f.stat().st_size for f in path.iterdir()) < 20 * 2**20
    m = FusionModel.load(path)
    assert m.config.name == 'fusion-small'
    [p] = m.sample(1, length=200, seed=0, tempo=90)
    assert p.treble and p.bass and p.key in ('C major', 'A minor')
