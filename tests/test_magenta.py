"""Magenta's MusicVAE checkpoints through the command line, as a user meets them: import, generate, interpolate; a wrong config refused.

The melody and trio references go through all three commands here. The two drum references are imported and measured against
Magenta's numbers in 12a_magenta (`parity_table`, all five references), `import-magenta` + `generate` of the groove one run in 20_cli,
and drum sampling and interpolation through the command line in tests/test_musicvae.py: they are not run a second time here."""
import pytest
from conftest import run_musiclab
from musiclab.core import shared_data
from musiclab.models.magenta import REFERENCE_CONFIGS

REF = shared_data('reference', 'magenta-ckpt')
needs_ref = pytest.mark.skipif(REF is None, reason='../shared/data/reference/magenta-ckpt (checkpoints made by Magenta) is absent')

@needs_ref
# The 16-bar melody is slow-marked: the 16-bar trio goes through the same hierarchical decoder and the same three commands,
# and the 2-bar melody through the melody converter; `pytest --slow` runs it too.
@pytest.mark.parametrize('folder', [pytest.param(f, marks=pytest.mark.slow) if f == 'hierdec-mel_16bar' else f
                                    for f in sorted(f for f in REFERENCE_CONFIGS if 'mel' in f or 'trio' in f)])
def test_import_generate_interpolate(folder, tmp_path):
    ck = tmp_path/'ck'
    r = run_musiclab('import-magenta', str(REF/folder), '--config', REFERENCE_CONFIGS[folder], '--out', str(ck), timeout=300)
    assert r.returncode == 0 and r.stderr == '', r.stderr
    r = run_musiclab('generate', '--checkpoint', str(ck), '--n', '2', '--seed', '1', '--out', str(tmp_path/'gen'), timeout=300)
    assert r.returncode == 0, r.stderr
    made = sorted((tmp_path/'gen').glob('*.mid'))
    assert len(made) == 2
    # melodies and trios walk between two of the multi-instrument files the trio checkpoint was made from
    a, b = REF/'trio_midi'/'synthetic_trio_0.mid', REF/'trio_midi'/'synthetic_trio_1.mid'
    r = run_musiclab('interpolate', '--checkpoint', str(ck), '--a', str(a), '--b', str(b), '--steps', '3', '--out', str(tmp_path/'path'), timeout=300)
    assert r.returncode == 0, r.stderr
    assert len(list((tmp_path/'path').glob('*.mid'))) == 3

@needs_ref
def test_wrong_config_is_refused_in_one_line(tmp_path):
    r = run_musiclab('import-magenta', str(REF/'hierdec-trio_16bar'), '--config', 'hierdec-mel_16bar-tiny', '--out', str(tmp_path/'x'), timeout=300)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert 'hierdec-mel_16bar-tiny' in r.stderr and 'encoder/cell_0/' in r.stderr and 'Traceback' not in r.stderr

def test_missing_checkpoint_is_one_line(tmp_path):
    r = run_musiclab('import-magenta', str(tmp_path/'nothing'), '--config', 'groovae_4bar-tiny', '--out', str(tmp_path/'x'))
    assert r.returncode == 1 and r.stderr.strip().splitlines() == [f'musiclab: error: {tmp_path/"nothing"}: no such file or folder'], r.stderr
