"""Figures that cannot go stale (issue 20, item 5).

1. Every kept result file (bench/latest.json, nbs/results/*.json) says which musiclab made it (`musiclab`, and `commit`
   where it was made in a checkout: `musiclab.core.provenance`), and it is at most one release older than the code.
2. A benchmark figure in a notebook's prose — a rate (files/s, steps/s, windows/s, examples/s, GFLOP/s, ...), a speed-up
   (54.2x) or a memory peak (peak ... 2,951 MB) — is one that the kept results hold, at the precision it is written with.
   A figure the latest run contradicts (the spectrogram chapter's old "137x") fails here; the way to write one is to
   print it from the kept file (`musiclab.core.kept_bench`), which cannot go stale.
   Sizes of files and checkpoints ("a 5 MB checkpoint") are facts about the repository, not measurements, and are not read."""
import json, re
from configparser import ConfigParser
from pathlib import Path
import pytest
from conftest import ROOT
from musiclab.core import release_gap

KEPT = [ROOT/'bench'/'latest.json', *sorted((ROOT/'nbs'/'results').glob('*.json'))]
UNITS = {'rate': r'files/s|steps/s|step/s|windows/s|examples/s|sequences/s|images/s|img/s|clips/s|GFLOP/s|it/s',
         'speed-up': r'x|×', 'memory': r'MB|GB|MiB|GiB'}
_NUM = r'(?<![\w.])(\d[\d,]*(?:\.\d+)?)'
PROSE = {k: re.compile(_NUM + r'\s?(?:' + u + r')(?![\w/])') for k, u in UNITS.items()}
# on the kept side a word or two may stand between the number and its unit ("0.713 training steps/s")
KEPT_FIG = {k: re.compile(_NUM + r'\s?(?:[a-z-]+\s){0,2}(?:' + u + r')(?![\w/])') for k, u in UNITS.items()}
MEMORY_WORDS = re.compile(r'peak|memory|resident|RSS', re.I)
# Figures with these units that are not measurements: (notebook, the figure as written) -> why
NOT_MEASURED = {('14_specvae', '2x'): 'an up-sampling factor',
                ('11_fusion', '3 ×'): 'a layer count (3 × 512 units)', ('07_metrics', '12 x'): 'a matrix shape (12 x 12)'}

def version() -> str:
    c = ConfigParser(delimiters=['=']); c.read(ROOT/'settings.ini', encoding='utf-8')
    return c['DEFAULT']['version']

@pytest.mark.parametrize('f', KEPT, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_kept_results_say_what_made_them(f):
    d = json.loads(f.read_text(encoding='utf-8'))
    assert 'musiclab' in d, f'{f.relative_to(ROOT)} does not say which musiclab made it (record musiclab.core.provenance())'
    gap = release_gap(d['musiclab'], version())
    assert gap <= 1, f"{f.relative_to(ROOT)} was made by musiclab {d['musiclab']}, {gap} releases before {version()}: run its command again"
    if 'commit' in d: assert d['commit'] is None or re.fullmatch(r'[0-9a-f]{40}\+?', d['commit']), d['commit']

def _texts(x):
    if isinstance(x, dict):
        for v in x.values(): yield from _texts(v)
    elif isinstance(x, list):
        for v in x: yield from _texts(v)
    elif isinstance(x, str): yield x

def kept_figures(files=KEPT) -> dict:
    "unit family -> the numbers the kept results hold with that unit"
    out = {k: set() for k in UNITS}
    for f in files:
        d = json.loads(Path(f).read_text(encoding='utf-8'))
        text = '\n'.join(_texts(d))
        for k, rx in KEPT_FIG.items(): out[k] |= {float(m[1].replace(',', '')) for m in rx.finditer(text)}
        for b in d.get('benchmarks', []):
            if b.get('peak_mb'): out['memory'].add(float(b['peak_mb']))
        for k, v in d.get('figures', {}).items():
            if isinstance(v, (int, float)): out['rate' if k.endswith(('_per_s', 'gflops')) else 'speed-up'].add(float(v))
    return out

def _held(fig:str, values:set) -> bool:
    "Is `fig` (as written: '54.2', '2,951') one of `values` rounded to the figure's own precision?"
    digits = len(fig.split('.')[1]) if '.' in fig else 0
    x = float(fig.replace(',', ''))
    return any(abs(round(v, digits) - x) < 10 ** -digits / 2 + 1e-9 for v in values)

def stale_figures(notebooks, kept:dict) -> list:
    bad = []
    for nb in notebooks:
        cells = json.loads(Path(nb).read_text(encoding='utf-8'))['cells']
        for c in cells:
            if c['cell_type'] != 'markdown': continue
            s = ''.join(c['source'])
            for fam, rx in PROSE.items():
                for m in rx.finditer(s):
                    if (Path(nb).stem, m[0]) in NOT_MEASURED: continue
                    if fam == 'memory' and not MEMORY_WORDS.search(re.split(r'\d', s[max(0, m.start() - 40):m.start()])[-1]): continue   # what the figure measures is said just before it
                    if not _held(m[1], kept[fam]): bad.append(f'{Path(nb).name}: {m[0]!r} ({fam}) is in no kept result: ...{s[max(0, m.start() - 60):m.end() + 10]}...')
    return bad

def test_benchmark_figures_in_prose_are_the_kept_ones():
    bad = stale_figures(sorted((ROOT/'nbs').glob('*.ipynb')), kept_figures())
    assert not bad, 'figures typed into the prose that the kept results do not hold (print them from the kept file instead):\n' + '\n'.join(bad)

def test_a_stale_figure_is_caught(tmp_path):
    "The spectrogram chapter's old figures against today's kept run: the check fails on them, and passes the kept ones"
    kept = kept_figures()
    nb = tmp_path/'14_specvae.ipynb'
    def say(text): nb.write_text(json.dumps({'cells': [{'cell_type': 'markdown', 'source': [text]}]}))
    say('The paper-size model is 137x slower and trains 1.14 img/s; its peak memory is 28 MB.')
    assert len(stale_figures([nb], kept)) == 3
    b = next(json.loads(f.read_text())['benchmarks'] for f in KEPT if f.name == 'latest.json')
    spec = next(x for x in b if x['name'] == 'specvae')
    speedup = re.search(r'(\d+\.\d+)x', ' '.join(spec['output'] if isinstance(spec['output'], list) else [spec['output']]))[1]
    say(f"It is {speedup}x slower, with a peak memory of {spec['peak_mb']:,.0f} MB (a 5 MB checkpoint).")
    assert stale_figures([nb], kept) == []
