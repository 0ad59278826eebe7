"""One face for every model (issue 14): each family at its tiny config goes through the same verbs with the same
arguments — fit (two epochs), save, load in a fresh process and sample the same pieces for the same seed, a control
the model does not understand refused in one clear line, a forced NaN loss that leaves the last good checkpoint on
disk and names the epoch that failed, and for the four VAEs encode / decode / interpolate / similar with the shapes and
types the face promises. Nothing here knows which kind of model it holds beyond its class and its data."""
import dataclasses, hashlib, json, subprocess, sys, textwrap
from pathlib import Path
import numpy as np
import pytest
from conftest import ROOT

# family -> (class as 'module:Class', tiny config, data kind, controls its sample understands in this test)
FAMILIES = {
    'lstm': ('musiclab.models.lstm:LSTMModel', 'lstm-tiny', 'score', {'length': 12}),
    'fusion': ('musiclab.models.fusion:FusionModel', 'fusion-tiny', 'score', {'length': 12}),
    'musicvae': ('musiclab.models.musicvae:MusicVAE', 'groovae_4bar-tiny', 'drums', {}),
    'wavevae': ('musiclab.models.wavevae:WaveVAEModel', 'wavevae-tiny', 'audio', {}),
    'specvae': ('musiclab.models.specvae:SpecVAEModel', 'specvae-tiny', 'audio', {}),
}

def _class(path:str):
    import importlib
    mod, name = path.split(':')
    return getattr(importlib.import_module(mod), name)

def _data(kind:str, cfg, tmp:Path):
    "(train, valid) items of the family's data kind, few and small"
    if kind == 'score':
        from musiclab.corpus import load_corpus
        items = sorted(load_corpus('m21-piano').items, key=lambda it: it.name)[:8]
        return items[:6], items[6:]
    if kind == 'drums':
        from musiclab.drums import _fake_gmd, load_drums
        gmd = load_drums(f'gmd:{_fake_gmd(tmp/"gmd", n=4, bars=6)}')
        return gmd, gmd
    from musiclab.audio import load_audio
    return load_audio('rendered:m21-piano', sample_rate=cfg['sample_rate'], limit=3).split(cfg['val_frac'], cfg['seed'])

def fingerprint(pieces)->str:
    "One hash of a list of generated pieces: every array (rounded) and every plain field of each"
    h = hashlib.sha256()
    for p in pieces:
        for f in dataclasses.fields(p):
            v = getattr(p, f.name)
            if isinstance(v, np.ndarray): h.update(np.round(v.astype(np.float64), 4).tobytes())
            elif isinstance(v, (str, int, float, tuple)): h.update(repr(v).encode())
    return h.hexdigest()

class NaNAt:
    "A Keras callback that makes every weight NaN when epoch `at` begins (counting from 0): a loss that diverges"
    def __new__(cls, at:int):
        import keras
        class _NaN(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                if epoch == at:
                    for w in self.model.trainable_weights: w.assign(w * float('nan'))
        return _NaN()

@pytest.fixture(scope='module', params=list(FAMILIES))
def family(request, tmp_path_factory):
    "A family's model trained for two epochs on its tiny config: (name, model, checkpoint folder, train, valid)"
    from musiclab.core import get_config
    name = request.param
    cls_path, config, kind, _ = FAMILIES[name]
    tmp = tmp_path_factory.mktemp(name)
    cfg = get_config(config)
    train, valid = _data(kind, cfg, tmp)
    model = _class(cls_path)(cfg).fit(train, valid, out=tmp/'run', epochs=2, verbose=0)
    return name, model, tmp/'run', train, valid

def test_fit_saves_a_checkpoint_with_its_history(family):
    name, model, run, *_ = family
    meta = json.loads((run/'musiclab.json').read_text())
    assert meta['model'] == name and meta['config']['name'] == FAMILIES[name][1]
    assert all((run/f'{p}.keras').exists() for p in model.parts)
    # one history shape for every model: a list of epoch records, each naming its network
    assert isinstance(meta['history'], list) and {h['part'] for h in meta['history']} == set(model.parts)
    assert sorted({h['epoch'] for h in meta['history']}) == [0, 1] and model.diverged == {}

def test_a_fresh_process_samples_the_same_pieces(family):
    name, model, run, *_ = family
    cls_path, _, _, controls = FAMILIES[name]
    here = model.sample(2, seed=3, **controls)
    assert len(here) == 2 and all(type(p).__name__ in ('Piece', 'DrumPiece', 'AudioPiece', 'SpecPiece') for p in here)
    from musiclab.media import Playable
    assert all(isinstance(p, Playable) for p in here)
    code = textwrap.dedent(f'''
        import sys; sys.path.insert(0, {str(ROOT/'tests')!r})
        from test_face import _class, fingerprint
        m = _class({cls_path!r}).load({str(run)!r})
        print(fingerprint(m.sample(2, seed=3, **{controls!r})))''')
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip().splitlines()[-1] == fingerprint(here)
    assert fingerprint(model.sample(2, seed=4, **controls)) != fingerprint(here)   # another seed, other pieces

def test_an_unknown_control_is_one_clear_error(family):
    from musiclab.core import ConfigError
    name, model, *_ = family
    with pytest.raises(ConfigError, match=r'\.sample does not understand loudness'): model.sample(1, loudness=3)
    with pytest.raises(ConfigError, match='temperature must be a number of 0 or more'): model.sample(1, temperature=-1.0)

def test_the_latent_face(family):
    name, model, run, train, valid = family
    if name == 'lstm':
        assert not hasattr(model, 'encode')   # autoregressive: no latent face
        return
    from musiclab.model import Latent, LatentModel
    assert isinstance(model, LatentModel)
    items = list(getattr(train, 'files', getattr(train, 'items', train)))[:2]
    lat = model.encode(items)
    assert isinstance(lat, Latent) and [a.shape for a in lat] == [(2, model.latent_size)] * 3
    assert np.isfinite(lat.z).all() and (lat.sigma >= 0).all()
    kinds = {type(p) for p in model.sample(1, **FAMILIES[name][3])}
    for out, n in ((model.decode(lat.mu), 2), (model.interpolate(items[0], items[1], 3), 3),
                   (model.interpolate(items[0], items[1], 3, method='lerp'), 3), (model.similar(items[0], 2, closeness=0.5), 2)):
        assert len(out) == n and {type(p) for p in out} == kinds
    from musiclab.core import ConfigError
    with pytest.raises(ConfigError, match="method must be one of slerp, lerp"): model.interpolate(items[0], items[1], 3, method='cubic')
    with pytest.raises(ConfigError, match=f'decodes codes of {model.latent_size} numbers'): model.decode(np.zeros((1, model.latent_size + 1)))

def test_a_nan_loss_keeps_the_last_good_checkpoint_and_names_the_epoch(family, tmp_path):
    from musiclab.core import get_config
    from musiclab.train import read_state
    name, model, _, train, valid = family
    cls_path, config, *_ = FAMILIES[name]
    out = tmp_path/'nan'
    m = _class(cls_path)(get_config(config)).fit(train, valid, out=out, epochs=3, callbacks=[NaNAt(1)], verbose=0)
    assert m.diverged and all('epoch 2' in v and 'epoch 1 was kept' in v for v in m.diverged.values()), m.diverged
    folders = [out/'train'] if len(m.parts) == 1 else [out/'train'/p for p in m.parts]
    assert all(read_state(f)['epoch'] == 0 for f in folders)   # the last good epoch (the first) is what state.json records
    back = _class(cls_path).load(out)
    assert all(np.isfinite(w).all() for net in back.nets.values() for w in net.get_weights())
    assert back.diverged == m.diverged   # the checkpoint says that its run stopped, and where
    assert fingerprint(back.sample(1, seed=0, **FAMILIES[name][3])) == fingerprint(m.sample(1, seed=0, **FAMILIES[name][3]))

def test_a_checkpoint_opens_without_naming_its_class_and_files_of_its_kind_read_back(family, tmp_path):
    "What the command line needs: `load_checkpoint` (the registry, not the caller, picks the class) and `read` of one file"
    from musiclab.model import LatentModel, load_checkpoint
    name, model, run, *_ = family
    assert type(load_checkpoint(run)) is type(model)
    [p] = model.sample(1, seed=0, **FAMILIES[name][3])
    files = p.save(tmp_path, 'piece')
    item = model.read(files.get('mid') or files['wav'])   # a score or drum MIDI file, or a recording
    assert type(item).__name__ == {'score': 'Item', 'drums': 'DrumFile', 'audio': 'AudioItem'}[FAMILIES[name][2]]
    if isinstance(model, LatentModel) and FAMILIES[name][2] != 'score':   # a sampled score may be shorter than a phrase
        assert model.encode([item]).mu.shape == (1, model.latent_size)
