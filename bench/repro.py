"""Run a study of musiclab.experiment (nbs/16_experiment): several configs, several seeds, one budget, measured on held-out data (issue 16).

    python bench/repro.py --study musicvae            # both MusicVAE studies (16-bar and 2-bar), in this terminal
    python bench/repro.py --study musicvae --detach   # the same in the background: log and pid beside the runs
    python bench/repro.py --study musicvae --stop     # stop a background study; run the first command again to resume it
    python bench/repro.py --list                      # the studies there are
    python bench/repro.py --study wavevae-working --remeasure   # add a measure written since: every finished run measured again from its checkpoint
    python bench/repro.py --study musicvae --jobs 2 --detach          # two runs at a time, one TensorFlow thread each (2 cores)
    python bench/repro.py --study groove-tasks --threads 1 --detach   # beside another study run with --threads 1: both share 2 cores

A study whose every arm is of a family `musiclab train` trains with oneDNN's kernels (musiclab.configs.ONEDNN_MODELS: the audio VAEs)
trains with them here too; --remeasure measures with TensorFlow's default kernels. Each write records the machine and the setting.
Results go to nbs/results/repro-<study>.json (kept in the repository: the chapters read them); checkpoints to runs/repro/<study>/.
A finished run is never repeated; a stopped one goes on from its last checkpoint.
"""
import argparse, os, signal, subprocess, sys, time
from pathlib import Path

GROUPS = {'musicvae': ('musicvae-16bar', 'musicvae-2bar'), 'all': ('musicvae-16bar', 'musicvae-2bar', 'groove-tasks')}   # a name for several studies, run one after the other

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument('--study', help=f"a study (see --list) or a group: {', '.join(GROUPS)}")
    ap.add_argument('--data', help='a data spec, for studies that take one (the tiny test study)')
    ap.add_argument('--runs', default='runs/repro', help='where checkpoints go (RUNS/STUDY/ARM/seed-N)')
    ap.add_argument('--results', default='nbs/results', help='where repro-STUDY.json goes')
    ap.add_argument('--detach', action='store_true', help='run in the background (log: RUNS/STUDY.log, pid: RUNS/STUDY.pid)')
    ap.add_argument('--stop', action='store_true', help='stop the background run of this study')
    ap.add_argument('--list', action='store_true', help='list the studies')
    ap.add_argument('--threads', type=int, help='TensorFlow threads (default: all cores); two studies side by side with 1 each use 2 cores better than one with 2')
    ap.add_argument('--jobs', type=int, default=1, help='runs trained at once, each in its own process (default threads: cores / jobs); they share the result file safely')
    ap.add_argument('--remeasure', action='store_true', help="measure the finished runs again from their checkpoints and add the measures their file lacks (the ones it holds must come out the same)")
    ap.add_argument('--worker', type=int, default=0, help=argparse.SUPPRESS)   # one of N --jobs processes (N): no table at the end
    args = ap.parse_args(argv)
    from musiclab.core import ConfigError, MusiclabError
    from musiclab.experiment import STUDIES, remeasure, run_study, study, study_table
    if args.list:
        for name in sorted(STUDIES): print(name)
        for g, names in GROUPS.items(): print(f"{g}: {', '.join(names)}")
        return 0
    if not args.study: ap.error('--study is required (or --list)')
    runs = Path(args.runs); pidf, logf = runs/f'{args.study}.pid', runs/f'{args.study}.log'
    if args.stop:
        if not pidf.exists(): print(f'no background run of {args.study} ({pidf} is absent)'); return 1
        pid = int(pidf.read_text())
        try: os.killpg(pid, signal.SIGTERM); print(f'stopped {args.study} (process group {pid}); run it again to resume')
        except ProcessLookupError: print(f'{args.study} had already ended')
        pidf.unlink(); return 0
    if args.detach:
        runs.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, __file__] + [a for a in (argv if argv is not None else sys.argv[1:]) if a != '--detach']
        p = subprocess.Popen(cmd, stdout=open(logf, 'a'), stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, 'MUSICLAB_QUIET': '1'})
        pidf.write_text(str(p.pid)); print(f'{args.study}: running in the background (pid {p.pid}); log {logf}; stop with --stop')
        return 0
    if args.jobs > 1:   # N processes of this command, each claiming the runs it trains (musiclab.experiment.run_study)
        rest = [a for a in (argv if argv is not None else sys.argv[1:]) if a not in ('--detach',)]
        rest = [a for i, a in enumerate(rest) if a != '--jobs' and (i == 0 or rest[i-1] != '--jobs') and not a.startswith('--jobs=')]
        threads = [] if args.threads else ['--threads', str(max(1, (os.cpu_count() or 1) // args.jobs))]
        procs = []
        for i in range(args.jobs):
            procs.append(subprocess.Popen([sys.executable, __file__, *rest, *threads, '--worker', str(args.jobs)]))
            time.sleep(5)   # let the first claim its run before the next looks
        rcs = [p.wait() for p in procs]
        if any(rcs): return max(rcs)
        from musiclab.experiment import read_results
        for name in GROUPS.get(args.study, (args.study,)):
            res = read_results(Path(args.results)/f'repro-{name}.json')
            if res: print(f"{name}: {res['definition']['question']}\n" + study_table(res), flush=True)
        return 0
    from musiclab.configs import onednn_for
    from musiclab.core import get_config, set_threads
    names = GROUPS.get(args.study, (args.study,))
    try:
        studies = {name: study(name, **({'data': args.data} if args.data else {})) for name in names}
        if not args.remeasure: onednn_for({get_config(a.config).model for s in studies.values() for a in s.arms})   # before TensorFlow is imported: as `musiclab train` trains these families
        set_threads(args.threads)   # before any model runs anything in TensorFlow
        for name, s in studies.items():
            if args.remeasure:
                res = remeasure(s, runs/name, Path(args.results)/f'repro-{name}.json', log=lambda m: print(m, flush=True))
                print(f'{name}: {s.question}\n' + study_table(res), flush=True); continue
            command = ('python bench/repro.py --study ' + args.study + (f' --data {args.data}' if args.data else '')   # as the user typed it: a worker names its --jobs
                       + (f' --jobs {args.worker}' if args.worker else f' --threads {args.threads}' if args.threads else ''))
            res = run_study(s, runs/name, Path(args.results)/f'repro-{name}.json', command=command, log=lambda m: print(m, flush=True))
            if not args.worker: print(f'{name}: {s.question}\n' + study_table(res), flush=True)
    except MusiclabError as e:
        print(f'musiclab: error: {e}', file=sys.stderr); return 2
    return 0

if __name__ == '__main__': sys.exit(main())
