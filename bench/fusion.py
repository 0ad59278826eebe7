"""Does the fusion model's GAN train? Its treble clef trained twice, side by side on the same data from the same seed:
with the adversarial terms on (fusion-small's adv_weight) and off (adv_weight 0: the two critics still learn to tell
real from generated phrases, but no longer steer the generator).

Data: the 48 Chopin pieces of ../shared/data/chopin when present (else the music21 piano pieces), split by piece, so
the held-out phrases come from pieces the model never saw. For a vocabulary a CPU can train in minutes, labels seen
fewer than 10 times become <unk> (min_count 10) and windows start every 12 events (stride 12).

Per epoch and run it prints the reconstruction loss (training, held out), the critics' accuracy on held-out real phrases
against prior samples (0.5: they cannot tell; 1.0: always can), the share of held-out real phrases they call real, and
the share of distinct 4-grams among 32 greedy prior samples (mode collapse). Then start -> end figures and, last, the
headline: the held-out critic accuracy with the adversarial terms on, and the reconstruction loss from start to end.

Run: python bench/fusion.py [--epochs 8] [--clef treble]
"""
import argparse, os, time
import numpy as np

def train(cfg, model, enc_t, enc_v, clef, epochs):
    import keras
    from musiclab.core import set_seed
    from musiclab.models.fusion import CollapseCheck, FusionGAN
    set_seed(cfg['seed'])
    gan = FusionGAN(model.spec(clef)); gan.compile(optimizer=keras.optimizers.Adam(cfg['lr'], beta_1=0.5))
    tr = model.windows(enc_t, clef, True, cfg['stride'])
    va = model.windows(enc_v, clef, False, max(1, cfg['window'] // 2))
    t = time.perf_counter()
    h = gan.fit(tr, validation_data=va, epochs=epochs, verbose=0, shuffle=False, callbacks=[CollapseCheck(verbose=False)]).history
    return h, time.perf_counter() - t

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--epochs', type=int, default=8)
    ap.add_argument('--clef', default='treble', choices=['treble', 'bass'])
    args = ap.parse_args()
    from musiclab.core import get_config, portable, shared_data
    from musiclab.corpus import load_corpus
    from musiclab.models.fusion import FusionModel
    chopin = shared_data('chopin')
    spec = f'midi:{chopin}' if chopin else 'm21-piano'
    corpus = load_corpus(spec)
    base = get_config('fusion-small', min_count=10, stride=12) if chopin else get_config('fusion-small')
    train_items, valid_items = corpus.split(val_frac=base['val_frac'], seed=base['seed'])
    model = FusionModel(base); model.converter.fit(train_items)
    enc_t = [model.converter.encode(it) for it in train_items]; enc_v = [model.converter.encode(it) for it in valid_items]
    V, W = model.converter.sizes()[args.clef]
    print(f'data: {portable(spec)} ({len(train_items)} training pieces, {len(valid_items)} held out); {args.clef} vocabulary {V} labels, '
          f'{W} durations; {base.name} with min_count {base["min_count"]}, stride {base["stride"]}; {args.epochs} epochs; {os.cpu_count()} cores')
    runs = {}
    for name, w in (('on', base['adv_weight']), ('off', 0.0)):
        cfg = get_config(base.name, min_count=base['min_count'], stride=base['stride'], adv_weight=w)
        m = FusionModel(cfg, converter=model.converter)
        runs[name], secs = train(cfg, m, enc_t, enc_v, args.clef, args.epochs)
        h = runs[name]
        print(f'\nadversarial terms {name} (adv_weight {w:g}), {secs:.0f} s')
        print('epoch  recon  val recon  critic acc notes/durs  real called real notes/durs  distinct 4-grams')
        for e in range(args.epochs):
            print(f"{e + 1:5d}  {h['recon_loss'][e]:5.0f}  {h['val_recon_loss'][e]:9.0f}  {h['val_d_note_acc'][e]:10.2f} / {h['val_d_dur_acc'][e]:4.2f}"
                  f"  {h['val_d_note_real'][e]:16.2f} / {h['val_d_dur_real'][e]:4.2f}  {h['distinct_4grams'][e]:16.2f}")
    on, off = runs['on'], runs['off']
    late = slice(args.epochs // 2, None)   # the second half of training
    for name, h in runs.items():
        print(f"{name}: reconstruction {h['recon_loss'][0]:.0f} -> {h['recon_loss'][-1]:.0f} (held out {h['val_recon_loss'][0]:.0f} -> {min(h['val_recon_loss']):.0f} at best); "
              f"held-out critic accuracy, second half: notes {np.mean(h['val_d_note_acc'][late]):.2f} (max {max(h['val_d_note_acc']):.2f}), "
              f"durations {np.mean(h['val_d_dur_acc'][late]):.2f} (max {max(h['val_d_dur_acc']):.2f}); distinct 4-grams {h['distinct_4grams'][-1]:.2f}")
    acc = lambda h: np.mean(h['val_d_note_acc'][late] + h['val_d_dur_acc'][late])
    print(f"held-out critic accuracy on/off {acc(on):.2f}/{acc(off):.2f} = {acc(on) / acc(off):.2f}x; final reconstruction on/off "
          f"{on['recon_loss'][-1]:.0f}/{off['recon_loss'][-1]:.0f} = {on['recon_loss'][-1] / off['recon_loss'][-1]:.2f}x")
    print(f"GAN on: held-out critic accuracy {acc(on):.2f} (notes {np.mean(on['val_d_note_acc'][late]):.2f}, durations {np.mean(on['val_d_dur_acc'][late]):.2f}; "
          f"off: {acc(off):.2f}), reconstruction {on['recon_loss'][0]:.0f} -> {on['recon_loss'][-1]:.0f} nats per phrase")

if __name__ == '__main__': main()
