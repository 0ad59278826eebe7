"The `musiclab` command, run as a user runs it: the installed console script in a subprocess"
import configparser, os, re, subprocess, sys, time
from conftest import ROOT, musiclab_exe, run_musiclab

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
        ["musiclab: error: --models takes some of lstm, fusion, musicvae, melody, wavevae, specvae (comma-separated), got 'lstm,transformer'"]

# What a user reads is musiclab's: no line of TensorFlow's start-up log, no library warning (issue 17, "a quiet command line")
_NOT_OURS = re.compile(r'^[IWEF]\d{4} |WARNING: All log messages|absl::|oneDNN|cuda|cuInit|TensorFlow binary|rebuild TensorFlow|'
                       r'\w+Warning\b|warnings\.warn|^\s*warn\(|^Traceback|^\s+File "', re.I)

def _tempo_on_track_two(path):
    "A drum MIDI file whose tempo event sits on its second track: pretty_midi warns (RuntimeWarning) when it reads it"
    import mido
    mid = mido.MidiFile(type=1, ticks_per_beat=480)
    head, kit = mido.MidiTrack(), mido.MidiTrack()
    kit.append(mido.MetaMessage('set_tempo', tempo=500000, time=0))
    for i in range(16):
        kit.append(mido.Message('note_on', channel=9, note=36 if i % 4 == 0 else 42, velocity=90, time=0 if i == 0 else 120))
        kit.append(mido.Message('note_off', channel=9, note=36 if i % 4 == 0 else 42, velocity=0, time=120))
    mid.tracks += [head, kit]; mid.save(str(path))

def test_commands_print_only_what_musiclab_writes(tmp_path):
    drums = tmp_path/'drums'; drums.mkdir(); _tempo_on_track_two(drums/'beat.mid')
    runs = {'list': ['list'],
            'data': ['data', f'drums:{drums}'],
            'generate': ['generate', '--checkpoint', str(ROOT/'musiclab'/'assets'/'lstm-small'), '--length', '16', '--out', str(tmp_path/'gen')],
            'demo': ['demo', '--models', 'lstm', '--length', '16', '--out', str(tmp_path/'demo')]}
    for name, argv in runs.items():
        r = run_musiclab(*argv, timeout=300)
        assert r.returncode == 0, (name, r.stderr[-2000:])
        theirs = [l for l in (r.stdout + r.stderr).splitlines() if _NOT_OURS.search(l)]
        assert not theirs, f'musiclab {name} printed lines musiclab did not write:\n' + '\n'.join(theirs)
        assert all(l.startswith('musiclab') for l in r.stderr.splitlines()), (name, r.stderr)
    loud = run_musiclab('--verbose', *runs['data'], timeout=300)   # --verbose lets the libraries speak
    assert loud.returncode == 0 and 'RuntimeWarning' in loud.stderr and 'absl::' in loud.stderr, loud.stderr   # pretty_midi's and TensorFlow's

def test_debug_shows_the_traceback(tmp_path):
    plain, debug = run_musiclab('generate', '--checkpoint', str(tmp_path/'none'), '--out', str(tmp_path/'o')), \
                   run_musiclab('generate', '--checkpoint', str(tmp_path/'none'), '--out', str(tmp_path/'o'), '--debug')
    assert plain.returncode == debug.returncode == 1
    assert plain.stderr.strip().splitlines() == [f'musiclab: error: {tmp_path/"none"}: no checkpoint folder here (give a folder that `musiclab train` wrote, or a shipped one: musiclab/assets/NAME)']
    assert plain.stderr.strip().splitlines()[0] in debug.stderr.splitlines()
    assert 'Traceback' not in plain.stderr and 'Traceback (most recent call last)' in debug.stderr

def _on_a_terminal(args, env, timeout=300):
    "Run `musiclab ARGS` with stdout and stderr on a pseudo-terminal, as in a user's shell; (status, everything it wrote)"
    import pty, select
    master, slave = pty.openpty()
    p = subprocess.Popen([musiclab_exe(), *args], stdout=slave, stderr=slave, stdin=subprocess.DEVNULL, env=env, close_fds=True)
    os.close(slave)
    out, end = b'', time.time() + timeout
    while time.time() < end:
        if not select.select([master], [], [], 5)[0]:
            if p.poll() is not None: break
            continue
        try: chunk = os.read(master, 65536)
        except OSError: break   # the child closed the terminal
        if not chunk: break
        out += chunk
    p.wait(60); os.close(master)
    return p.returncode, out.decode(errors='replace')

def test_progress_bars_show_on_a_terminal_only(tmp_path):
    "Issue 18, item 6: parsing a corpus shows a bar with its rate on a terminal; nothing under --quiet, nothing in a pipe or a log"
    env = lambda n: {**os.environ, 'MUSICLAB_CACHE': str(tmp_path/f'cache-{n}'), 'COLUMNS': '120'}   # a cold cache each time: files are parsed
    code, out = _on_a_terminal(['data', 'm21-chorales:4'], env(1))
    assert code == 0 and 'parsing m21-chorales:4' in out and re.search(r'\d+/4 ', out) and 'file/s' in out, out[-2000:]
    code, out = _on_a_terminal(['data', 'm21-chorales:4', '--quiet'], env(2))
    assert code == 0 and 'parsing m21-chorales' not in out and '4 pieces' in out, out[-2000:]
    r = subprocess.run([musiclab_exe(), 'data', 'm21-chorales:4'], capture_output=True, text=True, env=env(3), timeout=300)
    assert r.returncode == 0 and 'parsing m21-chorales' not in r.stdout + r.stderr, r.stderr
    from musiclab.drums import _fake_gmd   # reading a drum folder (GMD: ~40 s) shows one too
    code, out = _on_a_terminal(['data', f'gmd:{_fake_gmd(tmp_path/"gmd")}'], env(4))
    assert code == 0 and 'reading gmd' in out and 'file/s' in out, out[-2000:]
