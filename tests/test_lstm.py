"""The LSTM system end to end, as a user runs it: train from the command line (tiny config), generate files,
reload in a fresh process, and the token round trip through MIDI."""
import json, subprocess, sys
from pathlib import Path
import numpy as np
import pytest
from conftest import ROOT, run_musiclab

@pytest.fixture(scope='module')
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp('lstm')/'run'
    r = run_musiclab('train', 'lstm', '--config', 'lstm-tiny', '--data', 'm21-piano', '--epochs', '2', '--out', str(out), timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'trained lstm-tiny in' in r.stdout
    return out

def test_checkpoint_layout(run):
    assert {p.name for p in run.iterdir()} >= {'musiclab.json', 'treble.keras', 'bass.keras', 'train'}
    meta = json.loads((run/'musiclab.json').read_text())
    assert meta['model'] == 'lstm' and meta['config']['name'] == 'lstm-tiny'
    assert meta['converter']['vocab']['treble'][0] == '<unk>'
    assert [h['epoch'] for h in meta['history'] if h['part'] == 'bass'] == [0, 1]   # one record an epoch, each naming its clef
    assert any((run/'train'/'treble'/'logs').rglob('*tfevents*'))   # TensorBoard

def test_train_again_resumes(run):
    "The same command on a finished run resumes after its last epoch instead of starting over"
    r = run_musiclab('train', 'lstm', '--config', 'lstm-tiny', '--data', 'm21-piano', '--epochs', '3', '--out', str(run), timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'treble: resuming after epoch 2' in r.stdout and 'bass: resuming after epoch 2' in r.stdout
    meta = json.loads((run/'musiclab.json').read_text())
    assert [h['epoch'] for h in meta['history'] if h['part'] == 'treble'] == [0, 1, 2]

def test_generate_writes_every_format(run, tmp_path):
    r = run_musiclab('generate', '--checkpoint', str(run), '--out', str(tmp_path), '--length', '24', '--n', '2',
                     '--key', 'E minor', '--tempo', '120', '--seed', '3')
    assert r.returncode == 0, r.stderr[-2000:]
    import pretty_midi, soundfile, music21
    for i in (1, 2):
        pm = pretty_midi.PrettyMIDI(str(tmp_path/f'piece-{i}.mid'))
        assert [ins.name for ins in pm.instruments] == ['Treble', 'Bass'] and all(ins.notes for ins in pm.instruments)
        assert abs(pm.get_tempo_changes()[1][0] - 120) < 1e-6
        wav, sr = soundfile.read(tmp_path/f'piece-{i}.wav')
        assert np.abs(wav).max() > 0.05
        assert '<svg' in (tmp_path/f'piece-{i}.svg').read_text()[:2000]
        assert len(music21.converter.parse(tmp_path/f'piece-{i}.musicxml').parts) == 2
    page = (tmp_path/'index.html').read_text()
    assert 'piece-1.wav' in page and 'piece-2.svg' in page and 'E minor' in page

_SAMPLE = '''
import json, sys
from musiclab.models.lstm import LSTMModel
[p] = LSTMModel.load(sys.argv[1]).sample(1, length=40, seed=11, temperature=1.2)
print(json.dumps([[list(ps), str(d)] for ps, d in p.treble + p.bass]))
'''

def test_reload_in_a_fresh_process_generates_the_same(run):
    from musiclab.models.lstm import LSTMModel
    [p] = LSTMModel.load(run).sample(1, length=40, seed=11, temperature=1.2)
    here = [[list(ps), str(d)] for ps, d in p.treble + p.bass]
    out = subprocess.run([sys.executable, '-c', _SAMPLE, str(run)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == here
    assert len(here) > 20

def test_shipped_checkpoint():
    "The small checkpoint shipped for `musiclab demo` loads (its history saved per clef, as older checkpoints did), samples and refuses a control it does not know"
    from musiclab.core import ConfigError
    from musiclab.models.lstm import LSTMModel
    m = LSTMModel.load(ROOT/'musiclab'/'assets'/'lstm-small')
    assert m.config.name == 'lstm-small' and m.history.parts == ['treble', 'bass'] and all('val_loss' in h for h in m.history)
    [p] = m.sample(1, length=60, seed=0, key='A minor', tempo=60)
    assert p.treble and p.bass and (p.key, p.tempo) == ('A minor', 60)
    with pytest.raises(ConfigError, match='does not understand primers'): m.sample(1, primers=None)

def _on_midi_grid(d):  # music21 reads MIDI on multiples of 1/16 and 1/12 of a quarter (musiclab.corpus)
    return (d * 16).denominator == 1 or (d * 12).denominator == 1

def test_tokens_midi_tokens_round_trip(tmp_path):
    """Every corpus piece: tokens -> Piece -> MIDI file -> parsed again -> the same tokens.
    Durations MIDI cannot hold (a septuplet's 1/7, rounded to 7/48 in the score) are the only exception, and rare."""
    from musiclab.corpus import load_corpus, parse_file
    from musiclab.symbolic import CLEFS, SymbolicConverter
    from musiclab.render import Piece
    items, checked = load_corpus('m21-piano').items, 0
    for item in items:
        conv = SymbolicConverter(min_count=1).fit([item])
        enc = conv.encode(item)
        evs = {c: conv.decode(enc.notes[c], enc.durs[c], c) for c in CLEFS}
        if not all(_on_midi_grid(d) for c in CLEFS for _, d in evs[c]): continue
        key = 'C major' if item.key.endswith('major') else 'A minor'
        Piece(evs['treble'], evs['bass'], key=key, tempo=item.tempo).write_midi(tmp_path/'x.mid')
        back = conv.encode(parse_file(tmp_path/'x.mid'))
        for c in CLEFS:
            assert back.notes[c].tolist() == enc.notes[c].tolist(), (item.name, c)
            assert back.durs[c].tolist() == enc.durs[c].tolist(), (item.name, c)
        checked += 1
    assert checked >= len(items) - 1, f'only {checked} of {len(items)} pieces are on the MIDI grid'
