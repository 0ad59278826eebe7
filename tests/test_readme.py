"README.md says what nbs/index.ipynb says, and its two commands are the ones CI runs"
import configparser, re
from conftest import ROOT

def _shell_blocks(md):
    return [b.strip() for b in re.findall(r'```sh\n(.*?)```', md, re.S)]

def test_readme_is_made_from_the_index_notebook():
    from musiclab.docs import readme
    assert (ROOT/'README.md').read_text(encoding='utf-8') == readme(ROOT/'nbs'/'index.ipynb'), \
        'README.md has drifted from nbs/index.ipynb: run `musiclab docs --readme-only` and commit both'

def test_readme_states_two_commands_and_ci_runs_the_second():
    md = (ROOT/'README.md').read_text(encoding='utf-8')
    install_and_run, install_and_test = _shell_blocks(md)[:2]
    assert install_and_run.startswith('pip install ') and 'musiclab ' in install_and_run
    ci = (ROOT/'.ci'/'run').read_text()
    m = re.search(r"^TEST_COMMAND='(.*)'$", ci, re.M)
    assert m, '.ci/run must define TEST_COMMAND'
    assert m[1] == install_and_test, f'.ci/run runs {m[1]!r} but the README says {install_and_test!r}'
    assert 'eval "$TEST_COMMAND"' in ci

def test_settings():
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    d = cfg['DEFAULT']
    assert d['tst_flags'] == 'slow' and d['lib_name'] == 'musiclab'
    import musiclab
    assert musiclab.__version__ == d['version']
    for pin in ('tensorflow==2.21.0', 'tf-keras==2.21.0', 'tensorflow-probability==0.25.0'): assert pin in d['requirements'].split()
    for pin in ('nbdev==2.4.14', 'execnb==0.1.18', 'fastcore==1.12.47', 'ghapi==1.1.1', 'fastgit==0.0.6'): assert pin in d['dev_requirements'].split()
    assert 'pkg_resources' not in (ROOT/'setup.py').read_text()
