"""Fuzz the `musiclab` command line with bad inputs made from real ones, each through the command a user would run.

Real seeds (written into a temporary folder first): a Bach chorale from music21's corpus written as MIDI, a two-hand piano
piece written with pretty_midi, the smallest Chopin file of `../shared/data/chopin` when that folder is there; MusicXML,
.mxl, kern and ABC files of music21's corpus; drum MIDI from `../shared/data/groove` (4/4 files) and a groove written
with pretty_midi; a WAV that musiclab's synthesiser plays from the piano piece, a stereo FLAC and an OGG; the checkpoints
shipped in musiclab/assets (copied before anything is changed: musiclab/assets is never touched).

Every case breaks one of them (seeded: `--seed`), puts it where a user would, and runs `musiclab.cli.main([...])`:

- midi: truncated, bytes flipped, absurd tempos, 0 or 10,000 tracks, a note lasting an hour, no note-offs, only drums,
  only meta events, odd divisions, huge delta times, a note storm, empty, mislabelled, a 2 GB file
  (`data midi:`, `data rendered:midi:`, `data drums:`, `train lstm`)
- drums: the same breakages of drum files, time signatures and tempo changes, and broken GMD `info.csv` files
  (`data drums:`, `data gmd:`, `interpolate` and `humanize` with the shipped GrooVAE)
- musicxml: malformed, no parts, empty part list, entity bombs, external entities, odd durations and divisions, broken and
  bombed .mxl archives, tune books, broken kern and ABC (`data midi:`, `data rendered:midi:`, `train lstm`)
- audio: empty, truncated, NaN- or infinity-filled, 1 sample or 0 frames long, 8 channels, 384 kHz, 1 Hz, mislabelled
  extensions, lying headers, a 2 GB file, silent (`data audio:`, `data gtzan:`, `interpolate` with the audio VAEs)
- checkpoint: a copy of a shipped checkpoint with a file missing, truncated, bytes flipped, swapped with another model's,
  musiclab.json values of the wrong type or range, an edited Keras config (`generate`, `interpolate`)
- cache: corpus cache entries and rendered-audio cache files corrupted between two runs of the same command, an unusable
  cache folder (`data midi:`, `data rendered:midi:`)
- options: command-line values of the wrong type or range: temperatures of 0, NaN or infinity, negative or absurd sizes,
  tempos, seeds, keys, steps, epochs, config names, chorale limits (`generate`, `interpolate`, `train`, `demo`, `data`, `evaluate`)

Outcomes: loaded (exit 0), skipped (exit 0, the report names skipped files or files that gave no window, each with its
reason), clear error (exit non-zero and one `musiclab: error: ...` line, or argparse's `musiclab COMMAND: error: ...`, as
the last line on stderr), traceback (`musiclab: internal error: ...`: an exception the command did not expect, status 70,
whose traceback is then taken from a second run with MUSICLAB_DEBUG=1; an exception that escaped `main`; a Python
traceback on stderr; a worker that died; or a non-zero exit without one clear line: must be 0),
hang (over `--timeout` seconds, by default 180: longer than musiclab's own limit of 120 s for music21 to read a file,
`musiclab.corpus.parse_seconds`, after which that file is skipped with its reason; must be 0), over memory (the worker's resident memory plus the private memory of
the processes it started grew by more than `--memory-mb`, sampled 5 times a second, or a MemoryError: must be 0 — a huge
input must be refused with its size named, not swallowed).

Cases run in a few long-lived worker processes (started with 'spawn', replaced after `--max-tasks` cases, after a hang,
over memory or a crash): first every case whose command loads no TensorFlow (workers that never import it, so that the
corpus' parsing processes fork from a process like the `musiclab` command's), then the others (workers that import
TensorFlow once, before their first case). Stdout and stderr are captured at the file-descriptor level.
The per-kind table, every traceback, hang and over-memory case (the command, the input, the last lines), and the
headline come last; `--json` writes every case. Everything is written under a temporary folder removed at the end
(`--keep` leaves it; `--only ID ...` runs some cases of the same list again, to reproduce them).

Run: python bench/fuzz.py [--cases 520] [--seed 0] [--timeout 180] [--workers 2] [--memory-mb 2000] [--kinds midi,audio]
                          [--only ID ...] [--json PATH] [--keep] [-v]
"""
from __future__ import annotations
import argparse, collections, csv, faulthandler, io, json, multiprocessing as mp, os, queue, re, shlex, shutil, signal, struct, sys
import tempfile, threading, time, traceback, zipfile
from dataclasses import dataclass
from pathlib import Path
import numpy as np

OUTCOMES = ('loaded', 'skipped', 'clear error', 'traceback', 'hang', 'over memory')
BAD = ('traceback', 'hang', 'over memory')
MODELS = ('lstm-small', 'fusion-small', 'groovae-4bar-small', 'wavevae-small', 'specvae-small')
INTERNAL = 'musiclab: internal error:'   # what the command says of an exception it did not expect (status 70): a bug
ERROR_LINE = re.compile(r'^musiclab(?: [\w-]+)?: error: ')   # `musiclab: error: ...` and argparse's `musiclab generate: error: ...`
HUGE = 2 * 2**30  # the size of the 'huge' inputs (sparse files: they take no disk space)

# ---------------------------------------------------------------------------------------------------------------- cases
@dataclass(frozen=True)
class Case:
    id:int # 1.., its place in the seeded list
    kind:str # midi, drums, musicxml, audio, checkpoint, cache, options
    variant:str # how the input is broken
    command:str # which command it goes through (a key of COMMANDS[kind], or the variant's own)
    heavy:bool # does the command load TensorFlow?

VARIANTS = collections.defaultdict(dict)   # kind -> variant -> (builder, the commands it allows (None: all of the kind's), loads TensorFlow)

def variant(commands=None, heavy=False):
    "Register `<kind>_<name>` as a variant; `commands` restricts the commands it goes through"
    def deco(fn):
        kind, name = fn.__name__.split('_', 1)
        VARIANTS[kind][name] = (fn, commands, heavy)
        return fn
    return deco

# kind -> command -> (weight, loads TensorFlow)
COMMANDS = {
    'midi': {'data': (50, False), 'data-file': (15, False), 'rendered': (10, False), 'drums': (12, True), 'train': (4, True)},
    'drums': {'drums': (45, True), 'gmd': (15, True), 'interpolate': (25, True), 'humanize': (15, True)},
    'musicxml': {'data': (55, False), 'data-file': (20, False), 'rendered': (15, False), 'train': (5, True)},
    'audio': {'data': (45, False), 'data-file': (15, False), 'gtzan': (10, False), 'interpolate-wavevae': (15, True),
              'interpolate-specvae': (15, True)},
    'checkpoint': {'generate': (80, True), 'interpolate': (20, True)},
    'cache': {'corpus': (70, False), 'rendered': (30, False)},
    'options': {'own': (1, None)},   # each option variant names its own command
}
WEIGHTS = {'midi': 22, 'drums': 13, 'musicxml': 13, 'audio': 20, 'checkpoint': 14, 'cache': 8, 'options': 10}

def make_cases(n:int, seed:int=0, kinds=None)->list[Case]:
    "`n` cases, seeded: kinds in proportion to WEIGHTS (at least one each when n allows), every variant of a kind in turn"
    rng = np.random.default_rng(seed)
    kinds = [k for k in WEIGHTS if kinds is None or k in kinds]
    w = np.array([WEIGHTS[k] for k in kinds], float); w /= w.sum()
    counts = np.floor(w * n).astype(int)
    if n >= len(kinds): counts = np.maximum(counts, 1)
    for i in np.argsort(-(w * n - np.floor(w * n)), kind='stable'):   # largest remainders
        if counts.sum() >= n: break
        counts[i] += 1
    while counts.sum() > n: counts[np.argmax(counts)] -= 1
    out = []
    for kind, c in zip(kinds, counts):
        names = list(VARIANTS[kind])
        order = []
        while len(order) < c: order += [names[i] for i in rng.permutation(len(names))]
        for name in order[:c]:
            fn, allowed, vheavy = VARIANTS[kind][name]
            if kind == 'options': out.append((kind, name, name, vheavy)); continue
            cmds = {k: v for k, v in COMMANDS[kind].items() if allowed is None or k in allowed}
            ks = list(cmds); p = np.array([cmds[k][0] for k in ks], float)
            cmd = ks[rng.choice(len(ks), p=p / p.sum())]
            out.append((kind, name, cmd, cmds[cmd][1]))
    order = rng.permutation(len(out))
    return [Case(i + 1, *out[j]) for i, j in enumerate(order)]

# ---------------------------------------------------------------------------------------------------------------- seeds
@dataclass
class Ctx:
    "What a worker needs to build cases: the run's folder, the seed files by kind, the shipped checkpoints, the seed"
    root:str
    seeds:dict
    assets:dict
    seed:int
    keep:bool = False
    timeout:float = 180
    good:dict = None # kind -> an unbroken file long enough for every model, the partner of a broken one (interpolate --b)

def _piano_midi(path:Path, bars:int=8, tempo:float=100.0):
    import pretty_midi
    pm = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    beat = 60 / tempo
    tre, bas = pretty_midi.Instrument(0, name='Right hand'), pretty_midi.Instrument(0, name='Left hand')
    melody = [72, 74, 76, 77, 79, 77, 76, 74, 72, 71, 72, 74, 76, 79, 77, 76]
    for i in range(bars * 4):
        tre.notes.append(pretty_midi.Note(84, melody[i % len(melody)], i * beat, (i + 1) * beat))
        if i % 2 == 0:
            root = (48, 43, 45, 41)[(i // 4) % 4]
            for p in (root, root + 7): bas.notes.append(pretty_midi.Note(70, p, i * beat, (i + 2) * beat))
    pm.instruments += [tre, bas]
    pm.write(str(path))

def _groove_midi(path:Path, bars:int=8, tempo:float=110.0, seed:int=0):
    import pretty_midi
    rng = np.random.default_rng(seed)
    pm = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    pm.time_signature_changes.append(pretty_midi.TimeSignature(4, 4, 0.0))
    kit, step = pretty_midi.Instrument(0, is_drum=True, name='Drums'), 60 / tempo / 4
    for s in range(bars * 16):
        hits = [42] + ([36] if s % 8 in (0, 3) else []) + ([38] if s % 8 == 4 else []) + ([49] if s % 64 == 0 else [])
        for p in hits:
            t = max(0.0, s * step + rng.normal(0, 0.008))
            kit.notes.append(pretty_midi.Note(int(rng.integers(50, 120)), p, t, t + 0.05))
    pm.instruments.append(kit)
    pm.write(str(path))

def make_seeds(root:Path)->tuple[dict, dict]:
    "The real files every case starts from, by kind; and the good partners (a score, a drum groove, 38 s of audio)"
    import soundfile
    from music21 import common, corpus
    from musiclab.core import shared_data
    m21 = Path(common.getCorpusFilePath())
    s = {k: root/'seeds'/k for k in ('score', 'xml', 'drums', 'audio')}
    for p in s.values(): p.mkdir(parents=True, exist_ok=True)
    _piano_midi(s['score']/'piano.mid')
    corpus.parse('bach/bwv66.6').write('midi', fp=str(s['score']/'chorale-bwv66.6.mid'))
    chopin = shared_data('chopin')
    if chopin:
        small = min(sorted(chopin.glob('*.mid')), key=lambda f: f.stat().st_size)
        shutil.copy(small, s['score']/f'chopin-{small.name}')
    for rel in ('bach/bwv67.4.xml', 'bach/bwv66.6.mxl', 'demos/multiple-verses.xml'):
        if (m21/rel).is_file(): shutil.copy(m21/rel, s['xml']/rel.replace('/', '-'))
    krn = [p for p in sorted(m21.rglob('*.krn')) if 3000 < p.stat().st_size < 20000]
    if krn: shutil.copy(krn[0], s['xml']/f'kern-{krn[0].name}')
    abc = m21/'essenFolksong'/'altdeu10.abc'
    if abc.is_file():
        text = abc.read_text(encoding='latin-1')
        tunes = re.split(r'(?m)^(?=X:)', text)
        one = next(t for t in tunes if t.startswith('X:'))
        (s['xml']/'tune.abc').write_text(one, encoding='utf-8')
        (s['xml']/'tunebook.abc').write_text(''.join(tunes[:4]), encoding='utf-8')
    _groove_midi(s['drums']/'groove.mid')
    groove = shared_data('groove')
    if groove and (groove/'info.csv').exists():
        with open(groove/'info.csv', newline='', encoding='utf-8') as fh: rows = list(csv.DictReader(fh))
        rows = sorted((r for r in rows if r.get('time_signature') == '4-4' and r.get('beat_type') == 'beat'
                       and 4 < float(r.get('duration') or 0) < 30), key=lambda r: (float(r['duration']), r['midi_filename']))
        for r in rows[:2]: shutil.copy(groove/r['midi_filename'], s['drums']/f"gmd-{Path(r['midi_filename']).name}")
    from musiclab.media import synthesize, pcm16
    x = synthesize((s['score']/'piano.mid').read_bytes(), 22050)[:22050 * 6]
    (s['audio']/'piano.wav').write_bytes(pcm16(x, 22050))
    good = root/'seeds'/'good'; good.mkdir()
    _piano_midi(good/'piano-long.mid', bars=16)   # 38 s: longer than half of the audio VAEs' 30 s clip
    (good/'piano-long.wav').write_bytes(pcm16(synthesize((good/'piano-long.mid').read_bytes(), 22050), 22050))
    t = np.arange(44100 * 3) / 44100
    env = np.exp(-3 * (t % 0.5))
    st = np.stack([0.4 * np.sin(2 * np.pi * 440 * t) * env, 0.3 * np.sin(2 * np.pi * 660 * t) * env], 1)
    soundfile.write(s['audio']/'stereo.flac', st, 44100)
    soundfile.write(s['audio']/'tone.ogg', st[:, 0], 44100)
    return ({k: sorted(str(p) for p in v.iterdir()) for k, v in s.items()},
            {'score': str(s['score']/'piano.mid'), 'drums': str(s['drums']/'groove.mid'), 'audio': str(good/'piano-long.wav')})

# ---------------------------------------------------------------------------------------------------------------- MIDI
def vlq(n:int)->bytes:
    out = [n & 0x7F]
    n >>= 7
    while n: out.append(0x80 | (n & 0x7F)); n >>= 7
    return bytes(reversed(out))

def smf(tracks:list[bytes], fmt:int=1, ntracks:int|None=None, division:int=480)->bytes:
    "A Standard MIDI File from raw track bodies (no end-of-track added)"
    hdr = b'MThd' + struct.pack('>IHHH', 6, fmt, len(tracks) if ntracks is None else ntracks, division & 0xFFFF)
    return hdr + b''.join(b'MTrk' + struct.pack('>I', len(t)) + t for t in tracks)

EOT = b'\x00\xff\x2f\x00'

def _mido(path):
    import mido
    return mido.MidiFile(str(path))

def _absolute(mf)->list[list]:
    "Each track as a list of [absolute tick, message]"
    out = []
    for tr in mf.tracks:
        t, rows = 0, []
        for m in tr:
            t += m.time; rows.append([t, m])
        out.append(rows)
    return out

def _rebuild(mf, tracks:list[list])->bytes:
    "The file of `mf`'s header with these tracks ([absolute tick, message] rows, sorted here)"
    import mido
    new = mido.MidiFile(type=mf.type if len(tracks) > 1 or mf.type == 0 else 1, ticks_per_beat=mf.ticks_per_beat)
    for rows in tracks:
        tr, last = mido.MidiTrack(), 0
        for t, m in sorted(rows, key=lambda r: (r[0], r[1].is_meta and r[1].type == 'end_of_track')):
            tr.append(m.copy(time=int(t - last))); last = t
        new.tracks.append(tr)
    f = io.BytesIO(); new.save(file=f)
    return f.getvalue()

def _tempo_of(mf)->int:
    for tr in mf.tracks:
        for m in tr:
            if m.type == 'set_tempo': return m.tempo
    return 500000

def _seed(ctx:Ctx, rng, kind:str, ext=None)->Path:
    files = [Path(p) for p in ctx.seeds[kind] if ext is None or Path(p).suffix in ext]
    return files[int(rng.integers(len(files)))]

def _flip(data:bytes, rng, start:int=0)->tuple[bytes, str]:
    b = bytearray(data)
    k = int(rng.integers(1, 24))
    pos = sorted(int(p) for p in rng.integers(min(start, len(b) - 1), len(b), k))
    for p in pos: b[p] ^= int(rng.integers(1, 256))
    return bytes(b), f'{k} byte(s) flipped at offsets {pos[:6]}{"..." if k > 6 else ""} of {len(b)}'

def _sparse(path:Path, head:bytes, size:int=HUGE)->Path:
    "A file of `size` bytes: `head`, then zeros (sparse: no disk space used)"
    with open(path, 'wb') as f: f.write(head); f.truncate(size)
    return path

# Each MIDI variant: (ctx, rng, seed file) -> (bytes of the broken file, description). The drum kind uses the same ones on drum seeds.
def _m_truncated(ctx, rng, src):
    data = src.read_bytes(); n = int(rng.integers(0, len(data)))
    return data[:n], f'{src.name} truncated to {n} of {len(data)} bytes'
def _m_flipped(ctx, rng, src):
    data, how = _flip(src.read_bytes(), rng, start=int(rng.choice([0, 14])))
    return data, f'{src.name} with {how}'
def _m_tempo(ctx, rng, src):
    import mido
    mf = _mido(src); tr = _absolute(mf)
    us = int(rng.choice([0, 1, 2, 16777215]))
    for rows in tr: rows[:] = [r for r in rows if r[1].type != 'set_tempo']
    tr[0].append([0, mido.MetaMessage('set_tempo', tempo=us)])
    bpm = 'infinite' if us == 0 else f'{60e6 / us:.6g}'
    return _rebuild(mf, tr), f'{src.name} with its tempo set to {us} microseconds a quarter ({bpm} bpm)'
def _m_tempo_storm(ctx, rng, src):
    import mido
    mf = _mido(src); tr = _absolute(mf)
    end = max(r[0] for rows in tr for r in rows)
    n = 20000
    tr[0] += [[int(t), mido.MetaMessage('set_tempo', tempo=int(rng.integers(1, 16777216)))] for t in np.linspace(0, end, n)]
    return _rebuild(mf, tr), f'{src.name} with {n} random tempo changes (1 to 16777215 us a quarter)'
def _m_tracks_zero(ctx, rng, src):
    return smf([], ntracks=0), 'a MIDI header announcing 0 tracks and no track'
def _m_tracks_10000(ctx, rng, src):
    n, tracks = 10000, []
    for i in range(n):
        ch = i % 16
        tracks.append(bytes([0, 0x90 | ch, 36 + i % 60, 90]) + vlq(240) + bytes([0x80 | ch, 36 + i % 60, 0]) + EOT)
    return smf(tracks), f'{n} tracks of one note each'
def _m_tracks_claimed(ctx, rng, src):
    data = bytearray(src.read_bytes()); data[10:12] = struct.pack('>H', 10000)
    return bytes(data), f'{src.name} with its header announcing 10000 tracks'
def _m_hour_note(ctx, rng, src):
    import mido
    mf = _mido(src); tr = _absolute(mf)
    us = _tempo_of(mf)
    ticks = int(3600 * 1e6 / us * mf.ticks_per_beat)
    p = int(rng.integers(40, 80))
    ch = 9 if any(getattr(r[1], 'channel', None) == 9 for rows in tr for r in rows) else 0   # a drum file gets a drum note
    tr[-1] += [[0, mido.Message('note_on', channel=ch, note=p, velocity=90)], [ticks, mido.Message('note_off', channel=ch, note=p)]]
    for rows in tr:   # end-of-track after the long note
        for r in rows:
            if r[1].type == 'end_of_track': r[0] = max(r[0], ticks)
    return _rebuild(mf, tr), f'{src.name} with a note (pitch {p}) lasting an hour: {ticks} ticks at {60e6 / us:.4g} bpm'
def _m_no_note_offs(ctx, rng, src):
    mf = _mido(src); tr = _absolute(mf)
    n = 0
    for rows in tr:
        keep = [r for r in rows if not (r[1].type == 'note_off' or (r[1].type == 'note_on' and r[1].velocity == 0))]
        n += len(rows) - len(keep); rows[:] = keep
    return _rebuild(mf, tr), f'{src.name} without its {n} note-offs'
def _m_only_drums(ctx, rng, src):
    mf = _mido(src); tr = _absolute(mf)
    for rows in tr:
        for r in rows:
            if hasattr(r[1], 'channel'): r[1] = r[1].copy(channel=9)
    return _rebuild(mf, tr), f'{src.name} with every message on channel 10 (drums only)'
def _m_only_meta(ctx, rng, src):
    mf = _mido(src); tr = _absolute(mf)
    for rows in tr: rows[:] = [r for r in rows if r[1].is_meta]
    return _rebuild(mf, tr), f'{src.name} with only its meta events (no channel message at all)'
def _m_division(ctx, rng, src):
    data = bytearray(src.read_bytes())
    div = int(rng.choice([0, 1, 0x7FFF, 0xE728, 0x8000]))
    data[12:14] = struct.pack('>H', div)
    what = f'SMPTE ({256 - (div >> 8)} fps, {div & 0xFF} ticks a frame)' if div & 0x8000 else f'{div} ticks a quarter'
    return bytes(data), f'{src.name} with its division set to 0x{div:04X}: {what}'
def _m_huge_delta(ctx, rng, src):
    ch = 0 if 'gmd' not in src.name and 'groove' not in src.name else 9
    body = bytes([0, 0x90 | ch, 60, 80]) + vlq(0x0FFFFFFF) + bytes([0x80 | ch, 60, 0]) + vlq(0x0FFFFFFF) + bytes([0x90 | ch, 64, 80]) + vlq(480) + bytes([0x80 | ch, 64, 0]) + EOT
    return smf([body], fmt=0, division=480), 'a note lasting 0x0FFFFFFF ticks (about 78 hours at 120 bpm), then another note after as long a rest'
def _m_format(ctx, rng, src):
    data = bytearray(src.read_bytes()); fmt = int(rng.choice([2, 3, 0xFFFF]))
    data[8:10] = struct.pack('>H', fmt)
    return bytes(data), f'{src.name} with its header saying MIDI format {fmt}'
def _m_note_storm(ctx, rng, src):
    ch = 9 if 'gmd' in src.name or 'groove' in src.name else 0
    body, n = bytearray(), 20000
    for i in range(n):
        p = int(rng.integers(21, 109))
        body += bytes([0, 0x90 | ch, p, 100]) + vlq(1) + bytes([0x80 | ch, p, 0])
    return smf([bytes(body) + EOT], fmt=0, division=960), f'{n} notes one tick apart (about 10 seconds of notes at 120 bpm, 960 ticks a quarter)'
def _m_empty(ctx, rng, src): return b'', 'an empty file (0 bytes)'
def _m_mislabelled(ctx, rng, src):
    other = Path(rng.choice(ctx.seeds['audio'] + [p for p in ctx.seeds['xml'] if p.endswith('.xml')]))
    return other.read_bytes(), f'{other.name} renamed to .mid'
def _m_garbage_tracks(ctx, rng, src):
    body = bytes(rng.integers(0, 256, int(rng.integers(10, 4000)), dtype=np.uint8))
    return smf([body]), f'a valid header and one track of {len(body)} random bytes'
def _m_running_status(ctx, rng, src):
    body = bytes([0, 0x90, 60, 100]) + b''.join(bytes([10, 60 + i % 12, 100 if i % 2 == 0 else 0]) for i in range(2000)) + EOT
    return smf([body], fmt=0), '2000 notes in running status (no status byte after the first)'
def _m_pitch_bend_only(ctx, rng, src):
    body = b''.join(bytes([5, 0xE0, int(x) & 0x7F, int(x) >> 7 & 0x7F]) for x in rng.integers(0, 16384, 5000)) + EOT
    return smf([body], fmt=0), '5000 pitch bends and no note'
MIDI_BREAKS = {k[3:]: v for k, v in list(globals().items()) if k.startswith('_m_')}

def _huge_midi(d:Path)->tuple[Path, str]:
    p = _sparse(d/'huge.mid', b'MThd' + struct.pack('>IHHH', 6, 0, 1, 480) + b'MTrk' + struct.pack('>I', HUGE - 22))
    return p, f'a {HUGE / 2**30:.0f} GB MIDI file: one track of {HUGE - 22:,} zero bytes'

# ---------------------------------------------------------------------------------------------------------------- file kinds
def _put(d:Path, name:str, data:bytes)->Path:
    (d/'in').mkdir(parents=True, exist_ok=True)
    p = d/'in'/name; p.write_bytes(data); return p

def _midi_variant(name, kind:str='score'): # kind: the real file it breaks, a score ('midi_*' cases) or drums ('drums_*')
    def build(ctx, rng, d):
        if name == 'huge':
            (d/'in').mkdir(parents=True, exist_ok=True); return _huge_midi(d/'in')
        data, desc = MIDI_BREAKS[name](ctx, rng, _seed(ctx, rng, kind))
        return _put(d, f'broken-{name}.mid', data), desc
    build.__name__ = f"{'midi' if kind == 'score' else kind}_{name}"
    return build
for _n in list(MIDI_BREAKS) + ['huge']: variant()(_midi_variant(_n))
for _n in ('truncated', 'flipped', 'tempo', 'tempo_storm', 'tracks_zero', 'tracks_10000', 'hour_note', 'no_note_offs', 'only_meta',
           'huge_delta', 'note_storm', 'empty', 'mislabelled', 'division', 'huge'):
    variant()(_midi_variant(_n, 'drums'))

@variant()
def drums_not_drums(ctx, rng, d):
    src = _seed(ctx, rng, 'score')
    return _put(d, 'piano.mid', src.read_bytes()), f'{src.name}: a piano piece, nothing on channel 10'

@variant()
def drums_time_signature(ctx, rng, d):
    import mido
    src = _seed(ctx, rng, 'drums'); mf = _mido(src); tr = _absolute(mf)
    for rows in tr: rows[:] = [r for r in rows if r[1].type != 'time_signature']
    num, den = [(3, 4), (7, 8), (5, 4), (1, 1), (255, 64)][int(rng.integers(5))]
    at = int(rng.choice([0, 4 * mf.ticks_per_beat]))
    tr[0].append([at, mido.MetaMessage('time_signature', numerator=num, denominator=den)])
    return _put(d, 'meter.mid', _rebuild(mf, tr)), f'{src.name} with a time signature {num}/{den} at tick {at}'

@variant()
def drums_tempo_change(ctx, rng, d):
    import mido
    src = _seed(ctx, rng, 'drums'); mf = _mido(src); tr = _absolute(mf)
    tr[0].append([2 * mf.ticks_per_beat, mido.MetaMessage('set_tempo', tempo=int(rng.integers(200000, 1500000)))])
    return _put(d, 'tempo-change.mid', _rebuild(mf, tr)), f'{src.name} with a tempo change after 2 beats'

def _gmd_csv(name, make):
    def build(ctx, rng, d):
        src = _seed(ctx, rng, 'drums')
        (d/'in'/'drummer1'/'session1').mkdir(parents=True, exist_ok=True)
        shutil.copy(src, d/'in'/'drummer1'/'session1'/'1_rock_110_beat_4-4.mid')
        data, desc = make(rng)
        (d/'in'/'info.csv').write_bytes(data)
        return d/'in', f'a GMD folder (one real drum file) whose info.csv {desc}'
    build.__name__ = f'drums_csv_{name}'
    return build
_HDR = 'drummer,session,id,style,bpm,beat_type,time_signature,midi_filename,audio_filename,duration,split\n'
_ROW = 'drummer1,drummer1/session1,drummer1/session1/1,rock,110,beat,4-4,{f},,8.7,{s}\n'
for _n, _make in {
    'empty': lambda rng: (b'', 'is empty'),
    'header_only': lambda rng: (_HDR.encode(), 'has a header and no row'),
    'no_columns': lambda rng: (b'a,b,c\n1,2,3\n', 'lacks the midi_filename and split columns'),
    'binary': lambda rng: (bytes(rng.integers(0, 256, 3000, dtype=np.uint8)), 'is 3000 random bytes'),
    'latin1': lambda rng: ((_HDR + _ROW.format(f='drummer1/session1/1_rock_110_beat_4-4.mid', s='train') + 'drummer1,s,x,caf\xe9,1,beat,4-4,x.mid,,1,train\n').encode('latin-1'), 'is Latin-1, not UTF-8'),
    'missing_files': lambda rng: ((_HDR + ''.join(_ROW.format(f=f'drummer9/none/{i}.mid', s='train') for i in range(50))).encode(), 'lists 50 files that do not exist (and not the real one)'),
    'escape': lambda rng: ((_HDR + _ROW.format(f='../../../../../../etc/passwd', s='train') + _ROW.format(f='/etc/hostname', s='test')).encode(), 'lists ../../../../../../etc/passwd and /etc/hostname'),
    'bad_split': lambda rng: ((_HDR + _ROW.format(f='drummer1/session1/1_rock_110_beat_4-4.mid', s='holdout')).encode(), "gives the real file the split 'holdout'"),
    'folder_row': lambda rng: ((_HDR + _ROW.format(f='drummer1', s='train')).encode(), 'lists a folder as a MIDI file'),
    'short_rows': lambda rng: ((_HDR + 'drummer1,drummer1/session1\n').encode(), 'has a row with 2 of 11 fields'),
}.items(): variant(commands=('gmd',))(_gmd_csv(_n, _make))

# MusicXML, kern, ABC
def _xml_text(ctx, rng):
    src = _seed(ctx, rng, 'xml', ('.xml',))
    return src, src.read_text(encoding='utf-8')

def _xml_variant(name, make):
    def build(ctx, rng, d):
        src, text = _xml_text(ctx, rng)
        out, desc = make(text, rng)
        return _put(d, f'broken-{name}.xml', out.encode('utf-8') if isinstance(out, str) else out), f'{src.name} {desc}'
    build.__name__ = f'musicxml_{name}'
    return build

def _x_truncated(t, rng):
    n = int(rng.integers(0, len(t))); return t[:n], f'truncated to {n} of {len(t)} characters'
def _x_flipped(t, rng):
    data, how = _flip(t.encode('utf-8'), rng); return data, f'with {how}'
def _x_no_parts(t, rng):
    return re.sub(r'(?s)<part\s[^>]*>.*?</part>', '', t), 'with every <part> removed (the part list kept)'
def _x_no_part_list(t, rng):
    return re.sub(r'(?s)<part-list>.*?</part-list>', '<part-list/>', t), 'with an empty <part-list> (the parts kept)'
def _x_bare(t, rng):
    return '<?xml version="1.0" encoding="UTF-8"?>\n<score-partwise version="3.1"/>\n', 'replaced by an empty <score-partwise/>'
def _x_unclosed(t, rng):
    ends = [m.start() for m in re.finditer('</measure>', t)]
    i = ends[int(rng.integers(len(ends)))]
    return t[:i] + t[i + len('</measure>'):], f'with one </measure> (at character {i}) removed'
def _x_entity_bomb(t, rng):
    ents = '<!ENTITY a0 "ha">' + ''.join(f'<!ENTITY a{i} "{("&a%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    t = re.sub(r'<!DOCTYPE[^>]*>', '', t, count=1)
    t = t.replace('<score-partwise', f'<!DOCTYPE score-partwise [{ents}]>\n<score-partwise', 1)
    return re.sub(r'<part-name>[^<]*</part-name>', '<part-name>&a9;</part-name>', t, count=1), 'with a billion-laughs entity (10**9 copies of "ha") as a part name'
def _x_external_entity(t, rng):
    t = re.sub(r'<!DOCTYPE[^>]*>', '', t, count=1)
    t = t.replace('<score-partwise', '<!DOCTYPE score-partwise [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<score-partwise', 1)
    return re.sub(r'<part-name>[^<]*</part-name>', '<part-name>&x;</part-name>', t, count=1), 'with an external entity (file:///etc/passwd) as a part name'
def _x_divisions(t, rng):
    v = str(rng.choice(['0', '-1', '1000000000', 'abc', '1e400']))
    return re.sub(r'<divisions>\d+</divisions>', f'<divisions>{v}</divisions>', t), f'with <divisions>{v}</divisions>'
def _x_durations(t, rng):
    v = str(rng.choice(['0', '-480', '99999999999999', 'NaN', '']))
    return re.sub(r'<duration>\d+</duration>', f'<duration>{v}</duration>', t), f'with every <duration> set to {v!r}'
def _x_pitches(t, rng):
    v = str(rng.choice(['-5', '99', '12345', 'x']))
    return re.sub(r'<octave>\d+</octave>', f'<octave>{v}</octave>', t), f'with every <octave> set to {v!r}'
def _x_chord_storm(t, rng):
    n = 5000
    notes = ''.join(f'<note>{"<chord/>" if i else ""}<pitch><step>{"CDEFGAB"[i % 7]}</step><octave>{i % 8}</octave></pitch><duration>1</duration><type>quarter</type></note>' for i in range(n))
    i = t.index('</measure>')
    return t[:i] + notes + t[i:], f'with a chord of {n} notes in its first measure'
def _x_empty(t, rng): return b'', 'emptied (0 bytes)'
def _x_not_xml(t, rng): return b'\x89PNG\r\n\x1a\n' + bytes(rng.integers(0, 256, 500, dtype=np.uint8)), 'replaced by a PNG header and 500 random bytes'
def _x_timewise(t, rng):
    return t.replace('score-partwise', 'score-timewise'), 'relabelled <score-timewise> (its content still part-wise)'
for _n, _f in [(k[3:], v) for k, v in list(globals().items()) if k.startswith('_x_')]: variant()(_xml_variant(_n, _f))

def _mxl(d:Path, name:str, members:dict)->Path:
    (d/'in').mkdir(parents=True, exist_ok=True)
    p = d/'in'/name
    with zipfile.ZipFile(p, 'w', zipfile.ZIP_DEFLATED) as z:
        for k, v in members.items(): z.writestr(k, v)
    return p

_CONTAINER = ('<?xml version="1.0" encoding="UTF-8"?><container><rootfiles><rootfile full-path="score.xml" '
              'media-type="application/vnd.recordare.musicxml+xml"/></rootfiles></container>')

@variant()
def musicxml_mxl_truncated(ctx, rng, d):
    src = _seed(ctx, rng, 'xml', ('.mxl',)); data = src.read_bytes(); n = int(rng.integers(0, len(data)))
    return _put(d, 'truncated.mxl', data[:n]), f'{src.name} truncated to {n} of {len(data)} bytes'
@variant()
def musicxml_mxl_flipped(ctx, rng, d):
    src = _seed(ctx, rng, 'xml', ('.mxl',)); data, how = _flip(src.read_bytes(), rng)
    return _put(d, 'flipped.mxl', data), f'{src.name} with {how}'
@variant()
def musicxml_mxl_no_container(ctx, rng, d):
    src, text = _xml_text(ctx, rng)
    return _mxl(d, 'bare.mxl', {'score.xml': text}), f'{src.name} zipped as .mxl without META-INF/container.xml'
@variant()
def musicxml_mxl_wrong_root(ctx, rng, d):
    src, text = _xml_text(ctx, rng)
    c = _CONTAINER.replace('score.xml', str(rng.choice(['missing.xml', '../../etc/passwd', ''])))
    return _mxl(d, 'wrong-root.mxl', {'META-INF/container.xml': c, 'score.xml': text}), f'{src.name} zipped with a container.xml naming another root file'
def _zip_members(path:Path, members:list):
    "A zip file from (name, method, crc, uncompressed size, compressed bytes) members (sizes under 4 GB: no zip64)"
    out, central = bytearray(), bytearray()
    for name, method, crc, usize, data in members:
        n, off = name.encode(), len(out)
        out += struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, method, 0, 0x21, crc, len(data), usize, len(n), 0) + n + data
        central += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, method, 0, 0x21, crc, len(data), usize, len(n), 0, 0, 0, 0, 0, off) + n
    path.write_bytes(bytes(out + central + struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, len(members), len(members), len(central), len(out), 0)))
    return path

def _deflate_bomb(head:bytes, tail:bytes, size:int)->tuple[int, int, bytes]:
    "(crc, uncompressed size, raw deflate data) of `head`, `size` spaces and `tail`, made from one compressed 64 MB block repeated"
    import zlib
    chunk = b' ' * (64 << 20)
    z = lambda data, mode: (lambda c: c.compress(data) + c.flush(mode))(zlib.compressobj(9, zlib.DEFLATED, -15))
    n = size // len(chunk)
    crc = zlib.crc32(head)
    for _ in range(n): crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    return crc, len(head) + n * len(chunk) + len(tail), z(head, zlib.Z_FULL_FLUSH) + z(chunk, zlib.Z_FULL_FLUSH) * n + z(tail, zlib.Z_FINISH)

@variant()
def musicxml_mxl_bomb(ctx, rng, d):
    import zlib
    (d/'in').mkdir(parents=True, exist_ok=True)
    crc, usize, data = _deflate_bomb(b'<?xml version="1.0" encoding="UTF-8"?>\n<score-partwise version="3.1">', b'</score-partwise>\n', HUGE)
    c = _CONTAINER.encode()
    p = _zip_members(d/'in'/'bomb.mxl', [('META-INF/container.xml', 0, zlib.crc32(c), len(c), c), ('score.xml', 8, crc, usize, data)])
    return p, f'a {p.stat().st_size / 2**20:.1f} MB .mxl whose score.xml unpacks to {usize / 2**30:.1f} GB (spaces)'
@variant()
def musicxml_huge(ctx, rng, d):
    (d/'in').mkdir(parents=True, exist_ok=True)
    return _sparse(d/'in'/'huge.musicxml', b'<?xml version="1.0" encoding="UTF-8"?>\n<score-partwise version="3.1">'), f'a {HUGE / 2**30:.0f} GB .musicxml file (an XML header, then zero bytes)'
@variant()
def musicxml_mislabelled(ctx, rng, d):
    other = Path(rng.choice(ctx.seeds['score'] + ctx.seeds['audio']))
    ext = str(rng.choice(['.xml', '.musicxml', '.mxl', '.krn', '.abc']))
    return _put(d, f'mislabelled{ext}', other.read_bytes()), f'{other.name} renamed to {ext}'
@variant()
def musicxml_abc_book(ctx, rng, d):
    src = next((Path(p) for p in ctx.seeds['xml'] if p.endswith('tunebook.abc')), None) or _seed(ctx, rng, 'xml')
    return _put(d, 'book.abc', src.read_bytes()), f'{src.name}: an ABC tune book of several tunes'
@variant()
def musicxml_abc_broken(ctx, rng, d):
    src = next((Path(p) for p in ctx.seeds['xml'] if p.endswith('tune.abc')), None) or _seed(ctx, rng, 'xml')
    t = src.read_text(encoding='utf-8')
    how = int(rng.integers(3))
    if how == 0: t, desc = re.sub(r'(?m)^L:.*$', 'L:0/0', t), 'with a unit note length of 0/0'
    elif how == 1: t, desc = re.sub(r'(?m)^M:.*$', 'M:0/4', t), 'with a metre of 0/4'
    else: t, desc = t + '\n' + 'z' * 20000 + '\n', 'with 20000 rests appended'
    return _put(d, 'tune.abc', t.encode()), f'{src.name} {desc}'
@variant()
def musicxml_kern_broken(ctx, rng, d):
    src = _seed(ctx, rng, 'xml', ('.krn',))
    t = src.read_text(encoding='latin-1'); lines = t.splitlines()
    how = int(rng.integers(3))
    if how == 0: out, desc = '\n'.join(lines[:int(rng.integers(1, len(lines)))]), 'cut after a random line'
    elif how == 1: out, desc = '\n'.join(l + '\t4c' if not l.startswith(('!', '*')) else l for l in lines), 'with an extra spine on every data line'
    else: out, desc = re.sub(r'\d+([a-gA-G])', r'0\1', t), 'with every duration set to 0'
    return _put(d, 'broken.krn', out.encode('latin-1', 'replace')), f'{src.name} {desc}'

# audio
def _wav(d:Path, name:str, x, sr:int, subtype='PCM_16', fmt='WAV')->Path:
    import soundfile
    (d/'in').mkdir(parents=True, exist_ok=True)
    p = d/'in'/name
    soundfile.write(p, x, sr, subtype=subtype, format=fmt)
    return p

def _audio_seed(ctx, rng):
    import soundfile
    src = _seed(ctx, rng, 'audio'); x, sr = soundfile.read(src, dtype='float32', always_2d=True)
    return src, x, sr

@variant()
def audio_empty(ctx, rng, d):
    ext = str(rng.choice(['.wav', '.flac', '.ogg', '.mp3']))
    return _put(d, f'empty{ext}', b''), f'an empty {ext} file (0 bytes)'
@variant()
def audio_truncated(ctx, rng, d):
    src = _seed(ctx, rng, 'audio'); data = src.read_bytes()
    n = int(rng.choice([int(rng.integers(0, 64)), int(rng.integers(0, len(data)))]))
    return _put(d, f'truncated{src.suffix}', data[:n]), f'{src.name} truncated to {n} of {len(data)} bytes'
@variant()
def audio_flipped(ctx, rng, d):
    src = _seed(ctx, rng, 'audio'); data, how = _flip(src.read_bytes(), rng)
    return _put(d, f'flipped{src.suffix}', data), f'{src.name} with {how}'
@variant()
def audio_nan(ctx, rng, d):
    src, x, sr = _audio_seed(ctx, rng)
    which = int(rng.integers(3))
    x = x.copy()
    if which == 0: x[:] = np.nan; desc = 'every sample NaN'
    elif which == 1: x[int(rng.integers(len(x)))] = np.nan; desc = 'one sample NaN'
    else: x[::7] = np.inf; desc = 'every 7th sample infinite'
    return _wav(d, 'nan.wav', x, sr, 'FLOAT'), f'{src.name} as a float WAV with {desc}'
@variant()
def audio_huge_values(ctx, rng, d):
    src, x, sr = _audio_seed(ctx, rng)
    return _wav(d, 'loud.wav', x.astype(np.float64) * 1e300, sr, 'DOUBLE'), f'{src.name} as a 64-bit float WAV scaled by 1e300'
@variant()
def audio_one_sample(ctx, rng, d):
    return _wav(d, 'one.wav', np.array([[0.5]], np.float32), int(rng.choice([3000, 22050, 44100]))), 'a WAV 1 sample long'
@variant()
def audio_zero_frames(ctx, rng, d):
    return _wav(d, 'none.wav', np.zeros((0, 1), np.float32), 22050), 'a valid WAV header with 0 frames'
@variant()
def audio_eight_channels(ctx, rng, d):
    src, x, sr = _audio_seed(ctx, rng)
    return _wav(d, 'eight.wav', np.repeat(x[:, :1], 8, axis=1), sr), f'{src.name} copied to 8 channels'
@variant()
def audio_rate_384k(ctx, rng, d):
    src, x, sr = _audio_seed(ctx, rng)
    n = int(len(x) * 384000 / sr)
    y = np.interp(np.arange(n) * sr / 384000, np.arange(len(x)), x[:, 0]).astype(np.float32)
    ch = int(rng.choice([1, 8]))
    return _wav(d, 'hirate.wav', np.repeat(y[:, None], ch, 1), 384000), f'{src.name} resampled to 384 kHz, {ch} channel(s), {n / 384000:.1f} s'
@variant()
def audio_rate_1hz(ctx, rng, d):
    return _wav(d, 'slow.wav', np.sin(np.arange(100))[:, None].astype(np.float32) * 0.5, 1), 'a WAV at 1 sample a second (100 samples)'
@variant()
def audio_mislabelled(ctx, rng, d):
    pairs = [(ctx.seeds['score'], '.wav'), (ctx.seeds['audio'], '.flac'), (ctx.seeds['audio'], '.mp3'), (ctx.seeds['xml'], '.ogg'),
             (ctx.seeds['audio'], '.wav')]
    files, ext = pairs[int(rng.integers(len(pairs)))]
    src = Path(rng.choice(files))
    return _put(d, f'mislabelled{ext}', src.read_bytes()), f'{src.name} renamed to {ext}'
@variant()
def audio_lying_header(ctx, rng, d):
    import soundfile
    src, x, sr = _audio_seed(ctx, rng)
    f = io.BytesIO(); soundfile.write(f, x, sr, format='WAV', subtype='PCM_16'); data = bytearray(f.getvalue())
    i = data.find(b'data')
    which = int(rng.integers(3))
    if which == 0: data[i + 4:i + 8] = struct.pack('<I', 0xFFFFFFFF); desc = 'a data chunk claiming 4 GB'
    elif which == 1: data[4:8] = struct.pack('<I', 0); desc = 'a RIFF size of 0'
    else: data[22:24] = struct.pack('<H', 0); desc = 'a format chunk saying 0 channels'
    return _put(d, 'lying.wav', bytes(data)), f'{src.name} as a WAV with {desc}'
@variant()
def audio_huge(ctx, rng, d):
    (d/'in').mkdir(parents=True, exist_ok=True)
    n = HUGE - 44
    head = b'RIFF' + struct.pack('<I', HUGE - 8) + b'WAVEfmt ' + struct.pack('<IHHIIHH', 16, 1, 2, 44100, 44100 * 4, 4, 16) + b'data' + struct.pack('<I', n)
    return _sparse(d/'in'/'huge.wav', head), f'a {HUGE / 2**30:.0f} GB 16-bit stereo WAV ({n // 4 / 44100 / 3600:.1f} hours of silence)'
@variant()
def audio_silent(ctx, rng, d):
    return _wav(d, 'silent.wav', np.zeros((22050 * 3, 1), np.float32), 22050), 'a WAV of 3 s of digital silence'
@variant()
def audio_garbage_mp3(ctx, rng, d):
    data = b'ID3\x04\x00\x00\x00\x00\x00\x0a' + bytes(10) + b'\xff\xfb' + bytes(rng.integers(0, 256, 20000, dtype=np.uint8))
    return _put(d, 'noise.mp3', data), 'an ID3 header, an MP3 frame sync and 20000 random bytes'

# checkpoints
def _ckpt_copy(ctx, d:Path, model:str)->Path:
    dst = d/'ckpt'/model
    shutil.copytree(ctx.assets[model], dst)
    return dst

def _ckpt_file(rng, c:Path)->Path:
    files = sorted(p for p in c.iterdir() if p.suffix in ('.json', '.keras'))
    return files[int(rng.integers(len(files)))]

def _ckpt_variant(name):
    def build(ctx, rng, d, model):
        c = _ckpt_copy(ctx, d, model)
        desc = CKPT_BREAKS[name](ctx, rng, c, model)
        return c, f'{model} checkpoint {desc}'
    build.__name__ = f'checkpoint_{name}'
    return build

def _c_missing(ctx, rng, c, model):
    f = _ckpt_file(rng, c); f.unlink(); return f'without {f.name}'
def _c_truncated(ctx, rng, c, model):
    f = _ckpt_file(rng, c); data = f.read_bytes(); n = int(rng.choice([0, int(rng.integers(0, len(data)))]))
    f.write_bytes(data[:n]); return f'with {f.name} truncated to {n} of {len(data)} bytes'
def _c_flipped(ctx, rng, c, model):
    f = _ckpt_file(rng, c); data, how = _flip(f.read_bytes(), rng); f.write_bytes(data); return f'with {f.name}: {how}'
def _c_swapped(ctx, rng, c, model):
    f = _ckpt_file(rng, c)
    others = [(m, p) for m in MODELS if m != model for p in sorted(Path(ctx.assets[m]).iterdir())
              if p.suffix == f.suffix and (p.name == f.name or f.suffix == '.keras')]
    m, p = others[int(rng.integers(len(others)))]
    shutil.copy(p, f); return f'with its {f.name} replaced by the {p.name} of {m}'
def _c_hands(ctx, rng, c, model):
    ks = sorted(p for p in c.glob('*.keras'))
    if len(ks) < 2:
        dst = c/'treble.keras'; shutil.copy(ks[0], dst); return f'with {ks[0].name} also copied to treble.keras (a file it does not use)'
    a, b = ks[0].read_bytes(), ks[1].read_bytes(); ks[0].write_bytes(b); ks[1].write_bytes(a)
    return f'with {ks[0].name} and {ks[1].name} swapped'
_MUTANTS = [-1, 0, -10**9, 10**12, float('nan'), float('inf'), -0.5, 'abc', '', None, [], {}, True, [1, 2], {'a': 1}]
def _leaves(o, path=()):
    if isinstance(o, dict):
        for k, v in o.items(): yield from _leaves(v, path + (k,))
    elif isinstance(o, list) and o and len(o) <= 8 and not isinstance(o[0], (dict, list)): yield path, o
    elif isinstance(o, list):
        for i, v in enumerate(o[:3]): yield from _leaves(v, path + (i,))
    else: yield path, o
def _set(o, path, v):
    for k in path[:-1]: o = o[k]
    o[path[-1]] = v
def _c_json_value(ctx, rng, c, model):
    f = c/'musiclab.json'; meta = json.loads(f.read_text())
    leaves = [(p, v) for p, v in _leaves(meta) if p and p[0] in ('config', 'converter', 'data', 'model', 'musiclab') and p[-1] not in ('description',)]
    pool = leaves + [l for l in leaves if l[0][:2] == ('config', 'hparams')]   # sizes and settings twice as often
    path, old = pool[int(rng.integers(len(pool)))]
    new = _MUTANTS[int(rng.integers(len(_MUTANTS)))]
    _set(meta, path, new); f.write_text(json.dumps(meta))
    return f"with musiclab.json's {'.'.join(map(str, path))} changed from {json.dumps(old)[:60]} to {json.dumps(new)}"
def _c_json_shape(ctx, rng, c, model):
    f = c/'musiclab.json'; meta = json.loads(f.read_text())
    how = int(rng.integers(7))
    if how == 0: meta = [meta]; desc = 'a list around the object'
    elif how == 1: meta.pop('converter', None); meta.pop('data', None); desc = 'no converter and no data entry'
    elif how == 2: meta['config'].pop('hparams'); desc = 'no config.hparams'
    elif how == 3: meta['model'] = 'theremin'; desc = "model 'theremin'"
    elif how == 4: meta['config']['cls'] = 'os:system'; desc = "config.cls 'os:system'"
    elif how == 5: meta['config']['converter'] = 'pickle:loads'; desc = "config.converter 'pickle:loads'"
    else: meta['config']['model'] = 'wavevae' if model != 'wavevae-small' else 'lstm'; desc = "config.model naming another model"
    f.write_text(json.dumps(meta)); return f'with musiclab.json holding {desc}'
def _c_json_garbage(ctx, rng, c, model):
    f = c/'musiclab.json'
    data = [b'', b'{', b'null', b'"a string"', b'\xff\xfe\x00garbage', b'{"musiclab": 1}', b'[' * 100000][int(rng.integers(7))]
    f.write_bytes(data); return f'with musiclab.json replaced by {data[:20]!r}{"..." if len(data) > 20 else ""} ({len(data)} bytes)'
def _c_keras_config(ctx, rng, c, model):
    f = sorted(c.glob('*.keras'))[0]
    with zipfile.ZipFile(f) as z: members = {n: z.read(n) for n in z.namelist()}
    cfg = json.loads(members['config.json'])
    how = int(rng.integers(4))
    text = json.dumps(cfg)
    if how == 0:
        text = re.sub(r'"units": \d+', '"units": 7', text, count=1); desc = 'the first "units" changed to 7'
    elif how == 1:
        text = text.replace('"class_name": "Dense"', '"class_name": "Lambda"', 1); desc = 'a Dense layer renamed Lambda'
    elif how == 2:
        members.pop('model.weights.h5'); desc = 'no model.weights.h5'
    else:
        w = members['model.weights.h5']; members['model.weights.h5'] = w[:len(w) // 2]; desc = 'model.weights.h5 cut in half'
    members['config.json'] = text.encode()
    with zipfile.ZipFile(f, 'w') as z:
        for n, v in members.items(): z.writestr(n, v)
    return f'with {f.name} edited inside: {desc}'
def _c_is_file(ctx, rng, c, model):
    shutil.rmtree(c); c.write_bytes(b'not a folder'); return 'replaced by a file'
def _c_empty(ctx, rng, c, model):
    for p in c.iterdir(): p.unlink()
    return 'emptied (a folder with no file)'
CKPT_BREAKS = {k[3:]: v for k, v in list(globals().items()) if k.startswith('_c_')}
for _n in CKPT_BREAKS: variant()(_ckpt_variant(_n))

# cache
def _cache_variant(name, corrupt):
    def build(ctx, rng, d, command):
        src = _seed(ctx, rng, 'score')
        (d/'in').mkdir(parents=True, exist_ok=True); shutil.copy(src, d/'in'/src.name)
        cache = d/'cache'
        spec = f'midi:{d/"in"}' if command == 'corpus' else f'rendered:midi:{d/"in"}'
        argv = ['data', spec]
        where = cache/'corpus' if command == 'corpus' else cache/'audio'/'rendered'
        return dict(argv=argv, before=[argv], cache=str(cache), then=lambda: corrupt(rng, where, cache),
                    desc=f'{src.name} loaded once, then its cache entry {CACHE_DESC[name]}')
    build.__name__ = f'cache_{name}'
    return build

def _entries(where:Path)->list[Path]:
    return sorted(p for p in where.glob('*') if p.suffix in ('.npz', '.wav'))

def _npz(path:Path, meta:dict, **arrays):
    with open(path, 'wb') as f: np.savez(f, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8), **arrays)

def _corrupt_with(fn):
    def corrupt(rng, where, cache):
        es = _entries(where)
        if not es: raise RuntimeError(f'no cache entry to corrupt in {where}')
        for e in es: fn(rng, e)
    return corrupt

def _meta_of(e:Path)->tuple[dict, dict]:
    with np.load(e, allow_pickle=False) as z: return json.loads(z['meta'].tobytes()), {k: z[k] for k in z.files if k != 'meta'}

def _edit_parts(fn):
    def edit(rng, e):
        if e.suffix != '.npz': return _garbage(rng, e)
        meta, arrays = _meta_of(e)
        _npz(e, meta, **{k: fn(v, rng) for k, v in arrays.items()})
    return edit

def _garbage(rng, e): e.write_bytes(bytes(rng.integers(0, 256, 2000, dtype=np.uint8)))
def _trunc(rng, e): data = e.read_bytes(); e.write_bytes(data[:int(rng.integers(0, len(data)))])
def _zero(rng, e): e.write_bytes(b'')
def _folder(rng, e): e.unlink(); e.mkdir()
def _meta_garbage(rng, e):
    if e.suffix != '.npz': return _garbage(rng, e)
    _, arrays = _meta_of(e)
    with open(e, 'wb') as f: np.savez(f, meta=np.frombuffer(b'{"pipeline": 2, "music21": ', np.uint8), **arrays)
def _meta_error(rng, e):
    if e.suffix != '.npz': return _garbage(rng, e)
    meta, _ = _meta_of(e)   # the versions it was written with are kept: only the parse becomes a failure
    _npz(e, dict({k: v for k, v in meta.items() if k != 'parts'}, error='planted: this file is marked unusable'))
def _meta_missing(rng, e):
    if e.suffix != '.npz': return _zero(rng, e)
    meta, arrays = _meta_of(e)
    for k in ('key', 'tempo', 'time_signature'): meta.pop(k, None)
    _npz(e, meta, **arrays)
def _meta_values(rng, e):
    if e.suffix != '.npz': return _garbage(rng, e)
    meta, arrays = _meta_of(e)
    meta.update(key='H major', tempo=-1.0, time_signature='0/0', parts=[[None, 'alto'] for _ in meta['parts']])
    _npz(e, meta, **arrays)
def _nan_wav(rng, e):
    import soundfile
    if e.suffix != '.wav': return _garbage(rng, e)
    x, sr = soundfile.read(e, dtype='float32'); x[:] = np.nan; soundfile.write(e, x, sr, subtype='FLOAT')
_TINY_MIDI = b'MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0MTrk\x00\x00\x00\x04\x00\xff\x2f\x00'   # a valid, empty MIDI file
def _other_cache(rng, e):
    if e.suffix == '.wav': e.write_bytes(_TINY_MIDI)
    else:
        with open(e, 'wb') as f: np.savez(f, meta=np.zeros(3, np.uint8))

CACHE_CORRUPT = {
    'garbage': (_corrupt_with(_garbage), 'replaced by 2000 random bytes'),
    'truncated': (_corrupt_with(_trunc), 'truncated at a random byte'),
    'zero': (_corrupt_with(_zero), 'emptied (0 bytes)'),
    'folder': (_corrupt_with(_folder), 'replaced by a folder'),
    'meta_garbage': (_corrupt_with(_meta_garbage), 'rewritten with half a JSON meta (WAV: random bytes)'),
    'meta_error': (_corrupt_with(_meta_error), 'rewritten as a cached failure (WAV: random bytes)'),
    'meta_missing': (_corrupt_with(_meta_missing), 'rewritten without key, tempo and time signature (WAV: emptied)'),
    'meta_values': (_corrupt_with(_meta_values), "rewritten with key 'H major', tempo -1, metre 0/0, clef 'alto' (WAV: random bytes)"),
    'parts_1d': (_corrupt_with(_edit_parts(lambda a, rng: a.reshape(-1))), 'rewritten with its note arrays flattened to 1-D (WAV: random bytes)'),
    'parts_float': (_corrupt_with(_edit_parts(lambda a, rng: np.full(a.shape, np.nan))), 'rewritten with its note arrays all NaN (WAV: random bytes)'),
    'parts_negative': (_corrupt_with(_edit_parts(lambda a, rng: -np.abs(a))), 'rewritten with every onset, duration and pitch negative (WAV: random bytes)'),
    'parts_huge': (_corrupt_with(_edit_parts(lambda a, rng: np.where(np.arange(a.shape[-1]) == 1, 2**31 - 1, a) if a.ndim == 2 else a)), 'rewritten with every duration 2**31-1 ticks (WAV: random bytes)'),
    'parts_empty': (_corrupt_with(_edit_parts(lambda a, rng: a[:0])), 'rewritten with no notes (WAV: random bytes)'),
    'nan_wav': (_corrupt_with(_nan_wav), 'rewritten as all NaN samples (npz: random bytes)'),
    'other_kind': (_corrupt_with(_other_cache), 'replaced by a file of another kind (a MIDI file / an npz of 3 zeros)'),
}
CACHE_DESC = {k: v[1] for k, v in CACHE_CORRUPT.items()}
for _n, (_f, _) in CACHE_CORRUPT.items(): variant()(_cache_variant(_n, _f))

@variant()
def cache_folder_is_file(ctx, rng, d, command):
    src = _seed(ctx, rng, 'score')
    (d/'in').mkdir(parents=True, exist_ok=True); shutil.copy(src, d/'in'/src.name)
    (d/'cachefile').write_text('not a folder')
    spec = f'midi:{d/"in"}' if command == 'corpus' else f'rendered:midi:{d/"in"}'
    return dict(argv=['data', spec], cache=str(d/'cachefile'), desc=f'{src.name} with MUSICLAB_CACHE naming a file')

# options: each variant gives the whole command
def _opt(name, heavy, make):
    def build(ctx, rng, d):
        argv, desc = make(ctx, rng, d)
        return dict(argv=argv, desc=desc)
    build.__name__ = f'options_{name}'
    variant(heavy=heavy)(build)

def _pick(rng, xs): return xs[int(rng.integers(len(xs)))]
def _good(ctx, kind, ext=None): return ctx.good[kind]
def _score_dir(ctx, d):
    (d/'in').mkdir(parents=True, exist_ok=True); shutil.copy(_good(ctx, 'score', 'piano.mid'), d/'in'/'piano.mid'); return d/'in'

_opt('temperature', True, lambda ctx, rng, d: (lambda m, t: (['generate', '--checkpoint', ctx.assets[m], '--out', str(d/'out'), '--temperature', t]
     + (['--length', '24'] if m in ('lstm-small', 'fusion-small') else []), f'{m} at temperature {t}'))(
     _pick(rng, MODELS), _pick(rng, ['0', '-0', '-1', 'nan', 'inf', '-inf', '1e308', '1e-320', 'abc', ''])))
_opt('n', True, lambda ctx, rng, d: (lambda m, n: (['generate', '--checkpoint', ctx.assets[m], '--out', str(d/'out'), '--n', n]
     + (['--length', '24'] if m in ('lstm-small', 'fusion-small') else []), f'{m}, --n {n}'))(
     _pick(rng, MODELS), _pick(rng, ['0', '-1', '-1000000', '1.5', 'two', '100000000'])))
_opt('length', True, lambda ctx, rng, d: (lambda m, n: (['generate', '--checkpoint', ctx.assets[m], '--out', str(d/'out'), '--length', n],
     f'{m}, --length {n}'))(_pick(rng, ['lstm-small', 'fusion-small', 'wavevae-small']), _pick(rng, ['0', '-5', '1', '100000000', '1e3', ''])))
_opt('tempo', True, lambda ctx, rng, d: (lambda m, t: (['generate', '--checkpoint', ctx.assets[m], '--out', str(d/'out'), '--tempo', t]
     + (['--length', '24'] if m in ('lstm-small', 'fusion-small') else []), f'{m} at tempo {t}'))(
     _pick(rng, ['lstm-small', 'fusion-small', 'groovae-4bar-small', 'specvae-small']), _pick(rng, ['0', '-90', 'nan', 'inf', '1e12', '1e-9'])))
_opt('seed', True, lambda ctx, rng, d: (lambda m, s: (['generate', '--checkpoint', ctx.assets[m], '--out', str(d/'out'), '--seed', s]
     + (['--length', '24'] if m in ('lstm-small', 'fusion-small') else []), f'{m} with seed {s}'))(
     _pick(rng, MODELS), _pick(rng, ['-1', str(2**32), str(2**64), str(-2**70), '1.5'])))
_opt('key', True, lambda ctx, rng, d: (lambda k: (['generate', '--checkpoint', ctx.assets['lstm-small'], '--out', str(d/'out'), '--length', '24', '--key', k],
     f'lstm-small in key {k!r}'))(_pick(rng, ['', '   ', 'C', 'c#', 'C major minor', 'Z minor', 'B--- major', 'A minor' * 50])))
_opt('key_drums', True, lambda ctx, rng, d: (['generate', '--checkpoint', ctx.assets[_pick(rng, ['groovae-4bar-small', 'wavevae-small'])], '--out', str(d/'out'), '--key', 'A minor'],
     'a key for a model that writes no score'))
_opt('steps', True, lambda ctx, rng, d: (lambda m, s: (['interpolate', '--checkpoint', ctx.assets[m], '--a', _good(ctx, *m_in(m)), '--b', _good(ctx, *m_in(m)),
     '--out', str(d/'out'), '--steps', s], f'{m} interpolation with --steps {s}'))(
     _pick(rng, ['groovae-4bar-small', 'wavevae-small', 'specvae-small']), _pick(rng, ['0', '1', '-3', '1000000', 'x'])))
_opt('interp_temperature', True, lambda ctx, rng, d: (lambda m, t: (['interpolate', '--checkpoint', ctx.assets[m], '--a', _good(ctx, *m_in(m)), '--b', _good(ctx, *m_in(m)),
     '--out', str(d/'out'), '--steps', '2', '--temperature', t], f'{m} interpolation at temperature {t}'))(
     _pick(rng, ['groovae-4bar-small', 'wavevae-small', 'specvae-small']), _pick(rng, ['0', 'nan', '-inf', '1e308'])))
_opt('epochs', True, lambda ctx, rng, d: (lambda e: (['train', 'lstm', '--config', 'lstm-tiny', '--data', f'midi:{_score_dir(ctx, d)}', '--out', str(d/'run'), '--epochs', e],
     f'lstm-tiny trained on piano.mid with --epochs {e}'))(_pick(rng, ['0', '-1', '-1000', 'ten', '1.5'])))
_opt('train_config', False, lambda ctx, rng, d: (lambda m, c: (['train', m, '--config', c, '--data', f'midi:{_score_dir(ctx, d)}', '--out', str(d/'run')],
     f'train {m} with config {c!r}'))(_pick(rng, ['lstm', 'fusion', 'musicvae', 'LSTM', '']), _pick(rng, ['wavevae-small', 'lstm-tiny ', '', 'groovae-4bar-small', '../lstm-tiny'])))
_opt('demo', True, lambda ctx, rng, d: (lambda a: (['demo', '--out', str(d/'demo')] + a, f'demo with {" ".join(a)}'))(
     _pick(rng, [['--models', 'lstm', '--length', '0'], ['--models', 'lstm', '--length', '-4'], ['--models', ''], ['--models', 'lstm,,lstm', '--length', '8'],
                 ['--models', 'theremin'], ['--models', 'lstm', '--length', '100000000'], ['--models', 'lstm', '--seed', '-1', '--length', '8']])))
_opt('data_config', False, lambda ctx, rng, d: (lambda c: (['data', f'midi:{_score_dir(ctx, d)}', '--config', c], f'data midi: with --config {c!r}'))(
     _pick(rng, ['wavevae-small', 'groovae-4bar-small', 'lstm-paper', 'nope', '', 'fusion-tiny'])))
_opt('chorales', False, lambda ctx, rng, d: (lambda n: (['data', f'm21-chorales:{n}'], f'data m21-chorales:{n}'))(
     _pick(rng, ['0', '-1', 'abc', '1.5', '2:3', ' 2', '1'])))   # not '' nor a huge N: those ask for all 371 chorales, rightly slow
_opt('spec', False, lambda ctx, rng, d: (lambda s: (['data', s], f'data {s!r}'))(
     _pick(rng, ['', ':', 'midi:', 'audio:', 'gtzan:', 'gtzan::jazz', 'rendered:', 'rendered:rendered:m21-piano', 'drums:', 'midi:/dev/null',
                 'audio:/dev/null', 'midi:/etc', 'm21-piano:3', 'M21-PIANO'])))
_opt('evaluate', False, lambda ctx, rng, d: (lambda a: (['evaluate', '--out', str(d/'eval')] + a, f'evaluate {" ".join(a)}'))(
     _pick(rng, [['--models', 'theremin', '--size', 'tiny'], ['--all', '--models', 'lstm'], [], ['--models', 'lstm', '--data', 'lstm'],
                 ['--models', 'lstm', '--size', 'huge'], ['--models', ',', '--size', 'tiny']])))
_opt('out', True, lambda ctx, rng, d: (lambda o: (['generate', '--checkpoint', ctx.assets['lstm-small'], '--length', '16', '--out', o], f'generate into --out {o!r}'))(
     _pick(rng, ['/dev/null', '/dev/null/x', '/proc/version/out', str(d/('x' * 300)), str(d/'a'/'..'/'..'/'..'/'out-up')])))
_opt('list', False, lambda ctx, rng, d: (lambda a: (a, f'musiclab {" ".join(a)}'))(
     _pick(rng, [['list', '--model', 'theremin'], ['list', '--model', ''], ['--version'], [], ['nonsense'], ['data'], ['generate', '--checkpoint']])))

def m_in(model:str)->tuple[str, str|None]:
    "(seed kind, suffix) of the files a model reads"
    return ('drums', None) if model.startswith('groovae') else ('audio', '.wav')

# --------------------------------------------------------------------------------------------------------- case -> plan
def _in_spec(p:Path)->Path:
    "The folder of a single input file"
    return p if p.is_dir() else p.parent

def plan_for(case:Case, ctx:Ctx, d:Path)->dict:
    "The command (and setup) of a case, with its input built under `d`"
    rng = np.random.default_rng([ctx.seed, case.id])
    fn = VARIANTS[case.kind][case.variant][0]
    k, cmd = case.kind, case.command
    if k == 'options': return fn(ctx, rng, d)
    if k == 'cache': return fn(ctx, rng, d, cmd)
    if k == 'checkpoint':
        model = _pick(rng, list(MODELS) if cmd == 'generate' else ['groovae-4bar-small', 'wavevae-small', 'specvae-small'])
        c, desc = fn(ctx, rng, d, model)
        if cmd == 'generate':
            argv = ['generate', '--checkpoint', str(c), '--out', str(d/'out')] + (['--length', '32'] if model in ('lstm-small', 'fusion-small') else [])
        else:
            kind, ext = m_in(model)
            argv = ['interpolate', '--checkpoint', str(c), '--a', _good(ctx, kind, ext), '--b', _good(ctx, kind, ext), '--steps', '3', '--out', str(d/'out')]
        return dict(argv=argv, desc=desc)
    bad, desc = fn(ctx, rng, d)
    folder = _in_spec(bad)
    if cmd in ('data', 'rendered', 'drums', 'gtzan') and not bad.is_dir() and rng.random() < 0.5:   # a good file beside the bad one
        good = Path(_pick(rng, ctx.seeds[{'midi': 'score', 'musicxml': 'score', 'drums': 'drums', 'audio': 'audio'}[k]]))
        shutil.copy(good, folder/f'good-{good.name}'); desc += f'; beside it a good {good.name}'
    if k in ('midi', 'musicxml'):
        argv = {'data': ['data', f'midi:{folder}'], 'data-file': ['data', f'midi:{bad}'], 'rendered': ['data', f'rendered:midi:{folder}'],
                'drums': ['data', f'drums:{folder}'],
                'train': ['train', 'lstm', '--config', 'lstm-tiny', '--epochs', '1', '--data', f'midi:{folder}', '--out', str(d/'run')]}[cmd]
    elif k == 'drums':
        if cmd == 'gmd' and not (folder/'info.csv').exists():
            rel = bad.name
            (folder/'info.csv').write_text(_HDR + _ROW.format(f=rel, s=_pick(rng, ['train', 'validation', 'test'])), encoding='utf-8')
        good = _good(ctx, 'drums')
        argv = {'drums': ['data', f'drums:{folder}'], 'gmd': ['data', f'gmd:{folder}'],
                'interpolate': ['interpolate', '--checkpoint', ctx.assets['groovae-4bar-small'], '--a', str(bad), '--b', good, '--steps', '3', '--out', str(d/'out')],
                'humanize': ['humanize', '--checkpoint', ctx.assets['groovae-4bar-small'], '--input', str(bad), '--out', str(d/'out')]}[cmd]
    else:   # audio
        if cmd == 'gtzan':
            g = folder/'genres'/'jazz'; g.mkdir(parents=True)
            for p in list(folder.iterdir()):
                if p.is_file(): shutil.move(p, g/p.name)
            argv = ['data', f'gtzan:{folder}:jazz']
        elif cmd.startswith('interpolate'):
            argv = ['interpolate', '--checkpoint', ctx.assets[cmd.split('-')[1] + '-small'], '--a', str(bad), '--b', _good(ctx, 'audio', '.wav'),
                    '--steps', '2', '--out', str(d/'out')]
        else: argv = ['data', f'audio:{folder}' if cmd == 'data' else f'audio:{bad}']
    return dict(argv=argv, desc=desc)

# ---------------------------------------------------------------------------------------------------------------- worker
def _run_cli(argv:list[str], log:Path)->dict:
    "Run `musiclab.cli.main(argv)` with stdout and stderr (file descriptors 1 and 2) captured"
    from musiclab.cli import main
    sys.stdout.flush(); sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    rc, exc, exc_type = None, None, None
    with open(log.with_suffix('.out'), 'wb') as fo, open(log.with_suffix('.err'), 'wb') as fe:
        os.dup2(fo.fileno(), 1); os.dup2(fe.fileno(), 2)
        try: rc = main(argv)
        except SystemExit as e: rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException as e: exc, exc_type = traceback.format_exc(), type(e).__name__
        finally:
            try: sys.stdout.flush(); sys.stderr.flush()
            except Exception: pass
            os.dup2(saved[0], 1); os.dup2(saved[1], 2); os.close(saved[0]); os.close(saved[1])
    read = lambda s: log.with_suffix(s).read_bytes().decode('utf-8', 'replace')
    out, err = read('.out'), read('.err')
    return dict(argv=argv, rc=rc, exc=exc, exc_type=exc_type, stdout=_clip(out), stderr=_clip(err))

def _clip(s:str, head:int=3000, tail:int=12000)->str:
    return s if len(s) <= head + tail else s[:head] + f'\n[... {len(s) - head - tail} characters ...]\n' + s[-tail:]

def run_case(case:Case, ctx:Ctx, conn=None)->dict:
    "Build a case's input and run its command(s) in this process"
    root = Path(ctx.root)
    d = root/'cases'/f'{case.id:04d}'
    shutil.rmtree(d, ignore_errors=True); d.mkdir(parents=True)
    cwd, env = os.getcwd(), os.environ.get('MUSICLAB_CACHE')
    res = dict(id=case.id)
    try:
        try: plan = plan_for(case, ctx, d)
        except Exception: return dict(res, build_error=traceback.format_exc(), argv=[], desc='(the case could not be built)')
        res.update(desc=plan['desc'], argv=plan['argv'])
        if conn is not None: conn.send(('plan', dict(desc=plan['desc'], argv=plan['argv'])))
        os.environ['MUSICLAB_CACHE'] = plan.get('cache') or str(root/'cache')
        os.chdir(d)
        notes = []
        for before in plan.get('before', []):
            r = _run_cli(before, root/'logs'/f'{case.id:04d}-before')
            if r['exc'] or 'Traceback (most recent call last)' in r['stderr']: return dict(res, **r, setup=True)
            if r['rc'] != 0: notes.append(f"the first run exited {r['rc']}: {(r['stderr'].strip().splitlines() or [''])[-1][:200]}")
        if plan.get('then'):
            try: plan['then']()
            except Exception as e: notes.append(f'nothing corrupted ({type(e).__name__}: {e})')
        t0 = time.monotonic()
        res.update(_run_cli(plan['argv'], root/'logs'/f'{case.id:04d}'))
        if notes: res['desc'] += ' [' + '; '.join(notes) + ']'
        if INTERNAL in res['stderr'] and time.monotonic() - t0 < ctx.timeout / 3:   # a bug: run it again with --debug for its traceback
            os.environ['MUSICLAB_DEBUG'] = '1'
            try: res['debug'] = _run_cli(plan['argv'], root/'logs'/f'{case.id:04d}-debug')['stderr']
            finally: os.environ.pop('MUSICLAB_DEBUG', None)
        return res
    finally:
        os.chdir(cwd)
        if env is None: os.environ.pop('MUSICLAB_CACHE', None)
        else: os.environ['MUSICLAB_CACHE'] = env
        if not ctx.keep: shutil.rmtree(d, ignore_errors=True)

def _preload(heavy:bool):
    import music21, mido, pretty_midi, soundfile   # noqa: F401 (what every case needs, paid once per worker)
    import musiclab.cli, musiclab.corpus, musiclab.audio, musiclab.symbolic, musiclab.media   # noqa: F401
    if heavy:
        import tensorflow, keras   # noqa: F401
        import musiclab.model, musiclab.models.lstm, musiclab.models.fusion, musiclab.models.musicvae, musiclab.models.wavevae, musiclab.models.specvae  # noqa: F401

def worker_main(conn, ctx:Ctx, heavy:bool):
    "A worker: preload, then run the cases the parent sends until it sends None"
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
    os.environ.setdefault('MPLBACKEND', 'Agg')
    logs = Path(ctx.root)/'logs'; logs.mkdir(parents=True, exist_ok=True)
    saved = os.dup(2)
    try:
        with open(logs/f'preload-{os.getpid()}.err', 'wb') as f:   # TensorFlow's start-up log: the cases' own output is what counts
            os.dup2(f.fileno(), 2)
            _preload(heavy)
    except BaseException: conn.send(('failed', traceback.format_exc())); return
    finally: os.dup2(saved, 2); os.close(saved)
    stack = open(logs/f'stack-{os.getpid()}.txt', 'w+')   # where SIGUSR1 dumps every thread's stack (the parent asks before it kills)
    faulthandler.register(signal.SIGUSR1, file=stack, all_threads=True)
    conn.send(('ready', os.getpid()))
    while True:
        case = conn.recv()
        if case is None: return
        stack.seek(0); stack.truncate()
        try: r = run_case(case, ctx, conn)
        except BaseException: r = dict(id=case.id, exc=traceback.format_exc(), exc_type='worker', argv=[], desc='')
        r['tf_loaded'] = 'tensorflow' in sys.modules
        conn.send(('done', r))

# ---------------------------------------------------------------------------------------------------------------- parent
def _descendants(pid:int)->list[int]:
    "The processes a process started, and theirs"
    try:
        import psutil
        return [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except ImportError: pass
    except Exception: return []
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try: tasks = os.listdir(f'/proc/{p}/task')
        except OSError: continue
        for t in tasks:
            try:
                with open(f'/proc/{p}/task/{t}/children') as f: kids = [int(x) for x in f.read().split()]
            except OSError: kids = []
            out += kids; todo += kids
    return out

def _proc_mb(pid:int, private:bool=False)->float:
    "Resident memory of one process in MB, or only its private pages (what a forked child added)"
    try:
        if private:
            with open(f'/proc/{pid}/smaps_rollup') as f:
                return sum(int(l.split()[1]) for l in f if l.startswith(('Private_Clean:', 'Private_Dirty:'))) / 1024
        with open(f'/proc/{pid}/statm') as f: return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20
    except (OSError, ValueError, IndexError):
        try:
            import psutil
            return psutil.Process(pid).memory_info().rss / 2**20
        except Exception: return 0.0

def _mem_mb(pid:int)->float:
    "Memory of a worker and the processes it started, in MB: its resident set plus their private pages (pages a fork shares are counted once)"
    return _proc_mb(pid) + sum(_proc_mb(c, private=True) for c in _descendants(pid))

def _kill_tree(proc):
    for k in _descendants(proc.pid):
        try: os.kill(k, signal.SIGKILL)
        except OSError: pass
    try: proc.kill()
    except Exception: pass
    proc.join(10)

class Worker:
    "One worker process and the pipe to it"
    def __init__(self, ctx:Ctx, heavy:bool, start_timeout:float=600):
        mpc = mp.get_context('spawn')
        self.conn, child = mpc.Pipe()
        self.proc = mpc.Process(target=worker_main, args=(child, ctx, heavy), daemon=False)   # not daemonic: the corpus may start processes
        self.proc.start(); child.close()
        self.heavy, self.tasks, self.ctx = heavy, 0, ctx
        if not self.conn.poll(start_timeout): _kill_tree(self.proc); raise RuntimeError('a fuzz worker did not start')
        msg = self.conn.recv()
        if msg[0] != 'ready': _kill_tree(self.proc); raise RuntimeError(f'a fuzz worker failed to start:\n{msg[1]}')

    def stop(self):
        try: self.conn.send(None); self.proc.join(20)
        except Exception: pass
        if self.proc.is_alive(): _kill_tree(self.proc)

    def run(self, case:Case, timeout:float, memory_mb:float)->dict:
        "Run one case; kill the worker on a hang, on memory over the bound or if it dies (the caller replaces it then)"
        self.tasks += 1
        base, peak, t0, plan = _mem_mb(self.proc.pid), 0.0, time.monotonic(), {}
        self.conn.send(case)
        while True:
            try:
                if self.conn.poll(0.2):
                    what, r = self.conn.recv()
                    if what == 'plan': plan = r; continue
                    return dict(r, seconds=round(time.monotonic() - t0, 2), peak_mb=round(peak))
            except (EOFError, OSError): pass
            grown = _mem_mb(self.proc.pid) - base
            peak = max(peak, grown)
            dt = time.monotonic() - t0
            if not self.proc.is_alive() or grown > memory_mb or dt > timeout:
                died = None if self.proc.is_alive() else self.proc.exitcode
                if died is None:   # where it is stuck or growing: every thread's stack, then the kill
                    for p in [self.proc.pid] + _descendants(self.proc.pid):
                        try: os.kill(p, signal.SIGUSR1)
                        except OSError: pass
                    time.sleep(1)
                _kill_tree(self.proc)
                why = ('died' if died is not None else 'memory' if grown > memory_mb else 'hang')
                return dict(id=case.id, killed=why, exitcode=died, seconds=round(dt, 2), peak_mb=round(peak), **plan,
                            stack=_stack(Path(self.ctx.root)/'logs'/f'stack-{self.proc.pid}.txt'))

def _stack(f:Path)->str:
    "The stack dump a killed worker left: the thread that runs the case (the one in musiclab's code or the CLI), most recent call first"
    try: text = f.read_text(errors='replace')
    except OSError: return ''
    blocks = re.split(r'\n(?=(?:Current thread|Thread) 0x)', text.strip())
    ours = [b for b in blocks if 'run_case' in b or f'{os.sep}musiclab{os.sep}' in b]
    return _clip('\n'.join(ours or blocks), 1000, 4000)

def classify(r:dict)->tuple[str, str]:
    "(outcome, why) of one case's result"
    if r.get('build_error'): return 'traceback', 'the fuzz case itself could not be built (a bug in bench/fuzz.py)'
    k = r.get('killed')
    if k == 'hang': return 'hang', f"still running after {r['seconds']:.0f} s"
    if k == 'memory': return 'over memory', f"the process tree grew by {r['peak_mb']:,} MB"
    if k == 'died':
        if r.get('exitcode') == -signal.SIGKILL: return 'over memory', 'the worker was killed by SIGKILL (the out-of-memory killer?)'
        return 'traceback', f"the worker process died (exit code {r.get('exitcode')})"
    err = r.get('stderr') or ''
    if r.get('exc'):
        if r.get('exc_type') == 'MemoryError': return 'over memory', 'MemoryError'
        return 'traceback', f"{r.get('exc_type')} escaped musiclab.cli.main" + (' (in the first run)' if r.get('setup') else '')
    first = ' (in the first run)' if r.get('setup') else ''
    lines = [l for l in err.splitlines() if l.strip()]
    bug = next((l for l in lines if l.startswith(INTERNAL)), None)
    if bug: return ('over memory' if 'MemoryError' in bug else 'traceback'), bug[:300] + first
    if 'Traceback (most recent call last)' in err:
        return ('over memory' if 'MemoryError' in err else 'traceback'), 'a Python traceback on stderr' + first
    if r.get('rc') == 0:
        out = r.get('stdout') or ''
        n = sum(int(m) for m in re.findall(r'(?m)^skipped (\d+) files?', out)) + sum(int(m) for m in re.findall(r'(?m)^\s+(\d+) files? gave no window', out))
        return ('skipped', f'{n} file(s) skipped with a reason') if n else ('loaded', '')
    ours = [l for l in lines if ERROR_LINE.match(l)]
    if len(ours) == 1 and lines[-1] == ours[0]: return 'clear error', ours[0]
    return 'traceback', f"exit status {r.get('rc')} without one `musiclab: error: ...` line as the last line on stderr"

def _command(argv)->str: return 'musiclab ' + ' '.join(shlex.quote(str(a)) for a in argv)

def run_cases(cases:list[Case], ctx:Ctx, workers:int=2, timeout:float=180, memory_mb:float=2000, max_tasks:int=60, verbose:bool=False,
              log=print)->list[dict]:
    "Run the cases: those that load no TensorFlow first, in workers that never import it, then the others; results in case order"
    phases = [queue.Queue(), queue.Queue()]
    for c in cases: phases[c.heavy].put(c)
    results, lock, t0 = {}, threading.Lock(), time.monotonic()
    def slot(i):
        w = None
        try:
            for heavy, q in enumerate(phases):
                while True:
                    try: case = q.get_nowait()
                    except queue.Empty: break
                    if w is not None and (w.tasks >= max_tasks or w.heavy != bool(heavy)): w.stop(); w = None
                    if w is None: w = Worker(ctx, bool(heavy))
                    r = w.run(case, timeout, memory_mb)
                    if r.get('killed'):
                        w = None
                        shutil.rmtree(Path(ctx.root)/'cases'/f'{case.id:04d}', ignore_errors=True)
                    elif not heavy and r.get('tf_loaded'): w.stop(); w = None   # keep the first phase's workers free of TensorFlow
                    r.update(kind=case.kind, variant=case.variant, command=case.command, heavy=case.heavy)
                    r['outcome'], r['why'] = classify(r)
                    with lock:
                        results[case.id] = r
                        n = len(results)
                        if r['outcome'] in BAD or verbose:
                            log(f"  [{n}/{len(cases)}] #{case.id} {case.kind}/{case.variant} ({case.command}): {r['outcome']}"
                                f"{' - ' + r['why'] if r['why'] else ''} [{r['seconds']:.1f} s]", flush=True)
                        elif n % 25 == 0: log(f'  [{n}/{len(cases)}] {time.monotonic() - t0:.0f} s', flush=True)
        finally:
            if w is not None: w.stop()
    threads = [threading.Thread(target=slot, args=(i,), daemon=True) for i in range(max(1, workers))]
    for t in threads: t.start()
    for t in threads: t.join()
    return [results[c.id] for c in cases if c.id in results]

def table(res:list[dict])->str:
    "Outcomes per kind, one row each, and the total"
    kinds = list(dict.fromkeys(r['kind'] for r in sorted(res, key=lambda r: list(WEIGHTS).index(r['kind']))))
    rows = [[k] + [sum(r['outcome'] == o for r in res if r['kind'] == k) for o in OUTCOMES] + [len([r for r in res if r['kind'] == k])] for k in kinds]
    rows.append(['all'] + [sum(r['outcome'] == o for r in res) for o in OUTCOMES] + [len(res)])
    head = ['kind', *OUTCOMES, 'cases']
    w = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    fmt = lambda row: '| ' + ' | '.join(str(x).ljust(w[0]) if i == 0 else str(x).rjust(w[i]) for i, x in enumerate(row)) + ' |'
    return '\n'.join([fmt(head), '| ' + ' | '.join('-' * (x - 1) + (':' if i else '-') for i, x in enumerate(w)) + ' |'] + [fmt(r) for r in rows])

def failure_report(r:dict, lines:int=8)->str:
    "A failing case in a few lines: what it is, the command, the input, the last lines of what it printed (or where it was stopped)"
    out = [f"#{r['id']} {r['kind']}/{r['variant']} via {r['command']}: {r['outcome'].upper()} ({r['why']}; {r.get('seconds', 0):.1f} s, +{r.get('peak_mb', 0):,} MB)",
           f"  input: {r.get('desc', '')}",
           f"  $ {_command(r.get('argv') or [])}"]
    if r.get('stack'):   # a hang or over memory: where it was, most recent call first (the frames in musiclab first of all)
        frames = [l for l in r['stack'].splitlines() if l.strip().startswith('File ')]
        mine = [l for l in frames if f'{os.sep}musiclab{os.sep}' in l]
        shown = frames[:lines - 3] + ([f'... {mine[0].strip()}'] if mine and mine[0] not in frames[:lines - 3] else [])
        return '\n'.join(out + ['  | stack when stopped (most recent call first):'] + [f'  | {l.strip()[:300]}' for l in shown])
    tail = r.get('exc') or r.get('build_error') or r.get('debug') or r.get('stderr') or r.get('stdout') or ''
    tail = tail.split('musiclab: what the libraries wrote')[0]
    if 'Traceback (most recent call last)' in tail: tail = tail[tail.rindex('Traceback (most recent call last)'):]
    tail = [l for l in tail.rstrip().splitlines() if l.strip()]
    ours = [i for i, l in enumerate(tail) if l.lstrip().startswith('File "') and f'{os.sep}musiclab{os.sep}' in l]
    if ours and ours[-1] < len(tail) - lines:   # the deepest frame in musiclab, then the end
        tail = tail[ours[-1]:ours[-1] + 2] + ['...'] + tail[-(lines - 3):]
    else: tail = tail[-lines:]
    return '\n'.join(out + [f'  | {l[:300]}' for l in tail])

def headline(res:list[dict])->str:
    c = collections.Counter(r['outcome'] for r in res)
    return f"fuzz: {len(res)} cases: " + ', '.join(f'{o} {c[o]}' for o in OUTCOMES)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--cases', type=int, default=520, help='how many cases (default 520)')
    ap.add_argument('--seed', type=int, default=0, help='the same seed gives the same cases (default 0)')
    ap.add_argument('--timeout', type=float, default=180, help='seconds a case may take before it counts as a hang (default 180)')
    ap.add_argument('--workers', type=int, default=2, help='worker processes (default 2)')
    ap.add_argument('--memory-mb', type=float, default=2000, help='how much a case may grow the process tree, in MB (default 2000)')
    ap.add_argument('--max-tasks', type=int, default=60, help='cases a worker runs before it is replaced (default 60)')
    ap.add_argument('--kinds', help=f"only these kinds, comma-separated ({', '.join(WEIGHTS)})")
    ap.add_argument('--only', type=int, nargs='*', help='only these case ids (of the list --cases and --seed make)')
    ap.add_argument('--json', help='write every case and its outcome to this file')
    ap.add_argument('--keep', action='store_true', help="keep the temporary folder (inputs and logs) and print where it is")
    ap.add_argument('-v', '--verbose', action='store_true', help='a line for every case')
    args = ap.parse_args(argv)
    kinds = [k.strip() for k in args.kinds.split(',')] if args.kinds else None
    if kinds and set(kinds) - set(WEIGHTS): ap.error(f"unknown kind(s) {sorted(set(kinds) - set(WEIGHTS))}; known: {', '.join(WEIGHTS)}")
    cases = make_cases(args.cases, args.seed, kinds)
    if args.only: cases = [c for c in cases if c.id in set(args.only)]
    t0 = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix='musiclab-fuzz-'))
    try:
        from musiclab.core import asset
        seeds, good = make_seeds(root)
        ctx = Ctx(str(root), seeds, {m: str(asset(m)) for m in MODELS}, args.seed, args.keep, args.timeout, good)
        heavy = sum(c.heavy for c in cases)
        print(f"fuzzing the musiclab command line: {len(cases)} cases (seed {args.seed}; {len(cases) - heavy} without TensorFlow, {heavy} with), "
              f"{args.workers} workers, {args.timeout:g} s and {args.memory_mb:g} MB a case; seeds: "
              + ', '.join(f'{k} {len(v)}' for k, v in seeds.items()), flush=True)
        res = run_cases(cases, ctx, args.workers, args.timeout, args.memory_mb, args.max_tasks, args.verbose)
    finally:
        if args.keep: print(f'kept {root}')
        else: shutil.rmtree(root, ignore_errors=True)
    secs = time.monotonic() - t0
    bad = [r for r in res if r['outcome'] in BAD]
    if args.json:
        Path(args.json).write_text(json.dumps(dict(seed=args.seed, cases=args.cases, seconds=round(secs, 1), headline=headline(res), results=res), indent=1, default=str))
    print()
    print(table(res))
    byv = collections.defaultdict(collections.Counter)
    for r in res: byv[f"{r['kind']}/{r['variant']}"][r['outcome']] += 1
    print('\nvariants with a traceback, hang or over-memory case: ' + ('none' if not bad else
          '; '.join(f'{v} ({", ".join(f"{o} {n}" for o, n in c.items() if o in BAD)} of {sum(c.values())})' for v, c in byv.items() if any(o in BAD for o in c))))
    for r in bad: print('\n' + failure_report(r))
    if bad: print(f'\nreproduce one: python bench/fuzz.py --cases {args.cases} --seed {args.seed} --only ID --keep -v')
    print(f'\n{len(res)} cases in {secs:.0f} s ({secs / max(len(res), 1):.2f} s a case, {args.workers} workers)')
    print(headline(res))
    return 1 if bad else 0

if __name__ == '__main__': sys.exit(main())
