"The `musiclab` command, run as a user runs it: the installed console script in a subprocess"
import configparser, subprocess, sys
from conftest import ROOT, run_musiclab

def _version():
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    return cfg['DEFAULT']['version']

def test_version():
    r = run_musiclab('--version')
    assert (r.returncode, r.stdout.strip()) == (0, f'musiclab {_version()}')

def test_help_lists_the_commands():
    r = run_musiclab('--help')
    assert r.returncode == 0
    for cmd in ('list', 'docs'): assert f'    {cmd} ' in r.stdout, r.stdout

def test_unknown_command_is_one_line_and_status_2():
    r = run_musiclab('frobnicate')
    assert r.returncode == 2
    assert r.stdout == ''
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith('musiclab: error: ') and "'frobnicate'" in lines[0] and '--help' in lines[0]
    assert 'Traceback' not in r.stderr

def test_bad_option_is_one_line_and_status_2():
    r = run_musiclab('list', '--colour', 'red')
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and '--colour' in r.stderr, r.stderr

def test_no_command_is_a_usage_error():
    r = run_musiclab()
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr

def test_list_matches_the_registry():
    "One line per registered config (name, model, description), or a sentence saying there are none yet"
    from musiclab.core import configs
    r = run_musiclab('list')
    assert r.returncode == 0, r.stderr
    cs = configs()
    lines = r.stdout.strip().splitlines()
    if not cs:
        assert lines == ['no configs are registered yet']
    else:
        assert [l.split()[:2] for l in lines] == [[c.name, c.model] for c in cs]
        assert all(l.rstrip().endswith(c.description) for l, c in zip(lines, cs))

def test_list_and_help_import_no_tensorflow():
    "The light commands answer without TensorFlow, Keras, TFP or ipywidgets: checked in a fresh interpreter"
    code = ("import contextlib, io, sys\n"
            "from musiclab.cli import main\n"
            "for argv in (['list'], ['--help'], ['train', '--help']):\n"
            "    with contextlib.redirect_stdout(io.StringIO()) as out: assert main(argv) == 0, argv\n"
            "    assert out.getvalue().strip(), argv\n"
            "print(sorted(m for m in ('tensorflow', 'keras', 'tensorflow_probability', 'ipywidgets') if m in sys.modules))")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == '[]', f'imported by `musiclab list` / `--help`: {r.stdout}'

def test_list_unknown_model_says_so():
    r = run_musiclab('list', '--model', 'theremin')
    assert r.returncode == 0 and "no configs are registered for model 'theremin'" in r.stdout

def test_demo_models_option(tmp_path):
    r = run_musiclab('demo', '--out', str(tmp_path), '--models', 'musicvae')
    assert r.returncode == 0 and sorted(p.name for p in tmp_path.glob('*.wav')) == [f'groovae-{i}.wav' for i in range(1, 7)]
    r = run_musiclab('demo', '--out', str(tmp_path/'x'), '--models', 'lstm,transformer')
    assert r.returncode == 2 and [l for l in r.stderr.splitlines() if l.startswith('musiclab')] == \
        ["musiclab: error: --models takes some of lstm, fusion, musicvae, wavevae, specvae (comma-separated), got 'lstm,transformer'"]
