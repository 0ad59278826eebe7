"""The measurement table of nbs/12_musicvae: train each named config on the Groove MIDI Dataset (as `musiclab train musicvae` does), then measure it on the test split.

Run once, from the project root, with ../shared/data/groove present:  python bench/musicvae_table.py groovae-4bar-small flat-drums-16bar hierdec-drums-16bar
Results go to runs/musicvae/results-*.json; the last line printed is the last config's measures."""
import json, sys, time
from pathlib import Path
from musiclab.core import get_config, shared_data
from musiclab.drums import load_drums
from musiclab.models.musicvae import MusicVAE, cmd_train

class A:
    def __init__(self, **kw): self.__dict__.update(kw)
GMD = shared_data('groove')
if GMD is None: print('skipped: the Groove MIDI Dataset is not at ../shared/data/groove (beside the project)'); sys.exit(0)
out = Path('runs/musicvae'); res = {}
gmd = load_drums(f'gmd:{GMD}')
test = gmd.split('test')
for name in sys.argv[1:]:
    t0 = time.time()
    cmd_train(A(config=name, data=f'gmd:{GMD}', out=str(out/name), epochs=None))
    train_s = time.time() - t0
    m = MusicVAE.load(out/name)
    t1 = time.time()
    ev = m.evaluate(test, limit=None if m.hp['bars'] <= 4 else 1059)
    ev.update(train_seconds=round(train_s), eval_seconds=round(time.time() - t1), epochs=len(m.history))
    print(name, ev, flush=True)
    res[name] = ev
    json.dump(res, open(out/f'results-{"_".join(sys.argv[1:])}.json', 'w'), indent=1)
