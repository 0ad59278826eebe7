"""Bad input gets one clear musiclab error naming the file and the problem — from the command line, as a user meets it.
Every file here is real: MIDI written with pretty_midi, broken on purpose."""
import pretty_midi
import pytest
from conftest import run_musiclab

def _piece(path, treble=True, bass=True):
    pm = pretty_midi.PrettyMIDI(initial_tempo=100)
    for on, name, pitches in [(treble, 'Treble', (72, 74, 76, 77)), (bass, 'Bass', (48, 43, 48, 41))]:
        if not on: continue
        ins = pretty_midi.Instrument(0, name=name)
        ins.notes = [pretty_midi.Note(80, p, i * 0.6, i * 0.6 + 0.6) for i, p in enumerate(pitches * 8)]
        pm.instruments.append(ins)
    pm.write(str(path))
    return path

def _one_error_line(r, *needles, status=1):
    assert r.returncode == status, (r.returncode, r.stdout, r.stderr[-1500:])
    lines = [l for l in r.stderr.splitlines() if l.startswith('musiclab: error:')]
    assert len(lines) == 1 and 'Traceback' not in r.stderr, r.stderr[-1500:]
    for n in needles: assert n in lines[0], lines[0]

@pytest.fixture
def mixed(tmp_path):
    "A folder with one good piece, a truncated MIDI, a text file named .mid and an empty MIDI"
    good = _piece(tmp_path/'good.mid')
    (tmp_path/'truncated.mid').write_bytes(good.read_bytes()[:40])
    (tmp_path/'letter.mid').write_text('Dear diary, this is not a MIDI file.')
    pm = pretty_midi.PrettyMIDI(); pm.instruments.append(pretty_midi.Instrument(0)); pm.write(str(tmp_path/'silent.mid'))
    return tmp_path

def test_folder_with_bad_files_loads_the_good_ones_and_names_every_skipped_file(mixed):
    r = run_musiclab('data', f'midi:{mixed}')
    assert r.returncode == 0, r.stderr[-1500:]
    assert '1 pieces' in r.stdout or '1 piece' in r.stdout, r.stdout
    for name in ('truncated.mid', 'letter.mid', 'silent.mid'):
        line = next((l for l in r.stdout.splitlines() if name in l), None)
        assert line and len(line.split(name, 1)[1].strip(' :-')) > 3, f'{name} is not reported with a reason:\n{r.stdout}'

def test_empty_folder(tmp_path):
    _one_error_line(run_musiclab('data', f'midi:{tmp_path}'), str(tmp_path))

def test_missing_folder(tmp_path):
    _one_error_line(run_musiclab('data', f'midi:{tmp_path/"nowhere"}'), 'nowhere')

def test_unknown_data_spec():
    _one_error_line(run_musiclab('data', 'spotify:top-50'), 'spotify:top-50', 'm21-piano')

def test_unknown_data_spec_names_every_kind():
    "One line that names every kind of data spec, scores, drums and audio alike (issue 17)"
    kinds = ('m21-piano', 'm21-chorales', 'midi:PATH', 'gmd:PATH', 'drums:PATH', 'rendered', 'gtzan:PATH', 'audio:PATH')
    _one_error_line(run_musiclab('data', 'zzz:foo'), "'zzz:foo'", *kinds)
    _one_error_line(run_musiclab('data', 'gtzn:/music'), "did you mean 'gtzan:PATH[:GENRE]'?", *kinds)

def test_data_spec_of_the_wrong_kind(tmp_path):
    _one_error_line(run_musiclab('train', 'lstm', '--config', 'lstm-tiny', '--data', f'gmd:{tmp_path}', '--out', str(tmp_path/'run')),
                    'lstm-tiny learns from', "holds drums")
    assert not (tmp_path/'run').exists()

def test_out_that_is_a_file(tmp_path):
    "`--out` naming a file is one error line that names it, and the file is left as it was"
    f = tmp_path/'notes.txt'
    f.write_text('mine')
    _one_error_line(run_musiclab('demo', '--out', str(f)), str(f), 'exists as a file')
    _one_error_line(run_musiclab('demo', '--out', str(f/'demo')), str(f/'demo'), f'{f} is a file')
    assert f.read_text() == 'mine'

def test_missing_checkpoint(tmp_path):
    _one_error_line(run_musiclab('generate', '--checkpoint', str(tmp_path/'no-run'), '--out', str(tmp_path/'x')), 'no-run', 'no checkpoint folder')

def test_folder_that_is_not_a_checkpoint(tmp_path):
    _one_error_line(run_musiclab('generate', '--checkpoint', str(tmp_path), '--out', str(tmp_path/'x')), 'musiclab.json is missing')

def test_no_notes_in_one_clef(tmp_path):
    _piece(tmp_path/'right-hand-only.mid', bass=False)
    _one_error_line(run_musiclab('train', 'lstm', '--config', 'lstm-tiny', '--data', f'midi:{tmp_path}', '--out', str(tmp_path/'run')),
                    'no notes in the bass clef')

def test_unknown_config_and_model():
    _one_error_line(run_musiclab('train', 'lstm', '--config', 'lstm-smal', '--out', 'x'), "did you mean 'lstm-small'", status=2)
    _one_error_line(run_musiclab('train', 'theremin', '--config', 'lstm-small', '--out', 'x'), "unknown model 'theremin'", status=2)

def test_bad_key(tmp_path):
    from musiclab.core import asset
    _one_error_line(run_musiclab('generate', '--checkpoint', str(asset('lstm-small')), '--out', str(tmp_path), '--key', 'H major'),
                    "unknown key 'H major'", status=2)
