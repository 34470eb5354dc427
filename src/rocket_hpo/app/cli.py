"""The ``rocket`` command.

User mistakes (a bad file, an unknown task, a wrong option, an ``--out`` path that cannot be
written) end with one line on stderr and exit code 2, never a traceback. ``rocket tune``
exits 0 when the study has a best trial, 3 when every trial failed, 1 when a worker process
failed on its own (its traceback is printed above), and 130 on Ctrl-C. A storage URL's
password is never printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from rocket_hpo.app.defaults import DEFAULT_SAMPLER, DEFAULT_STORAGE, SAMPLERS
from rocket_hpo.errors import UsageError
from rocket_hpo.space import SpaceError
from rocket_hpo.tasks.base import DataMissingError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse prints the whole usage block; one line says the same with less noise.
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _cmd_tune(args: argparse.Namespace) -> int:
    from rocket_hpo.app.tune import TuneSettings, run_tune

    return run_tune(
        TuneSettings(
            target=args.target,
            trials=args.trials,
            budget=args.budget,
            storage=args.storage,
            workers=args.workers,
            seed=args.seed,
            study_name=args.study_name,
            sampler=args.sampler,
            timeout_per_trial=args.timeout_per_trial,
            verbose=args.verbose,
            reference=not args.no_reference,
        )
    )


def _cmd_status(args: argparse.Namespace) -> int:
    from rocket_hpo.app.status import status

    return status(args.storage, args.study)


def _cmd_best(args: argparse.Namespace) -> int:
    from rocket_hpo.app.status import best

    return best(args.storage, args.study, args.format, args.out)


def _cmd_report(args: argparse.Namespace) -> int:
    from rocket_hpo.report import write_report

    paths = write_report(args.storage, args.study, args.out)
    print(f"report: {paths.html}")
    for png in paths.pngs:
        print(f"figure: {png}")
    return 0


def _cmd_dashboard(args: argparse.Namespace) -> int:
    from rocket_hpo.app.dashboard import serve

    return serve(args.storage, args.host, args.port)


def _cmd_tasks(args: argparse.Namespace) -> int:
    from rocket_hpo import tasks

    for name in tasks.names():
        task = tasks.get(name)
        print(f"{name:16s} {len(task.space):3d} hyperparameters  {task.description}")
    return 0


def _cmd_space(args: argparse.Namespace) -> int:
    from rocket_hpo.space import Space

    space = Space.from_yaml(args.file)
    print(f"{args.file}: valid space with {len(space)} hyperparameters")
    print(f"example: {space.sample(seed=0)}")
    return 0


def _cmd_benchmark(args: argparse.Namespace) -> int:
    from rocket_hpo.bench.command import run_from_args

    return run_from_args(args)


def _cmd_pretrain(args: argparse.Namespace) -> int:
    from rocket_hpo.agent.pretrain.command import run

    return run(args)


def _file_error(e: OSError) -> str:
    """One line for a file-system error on a path the user gave (an ``--out`` in a missing
    folder, a file where a folder must be, ...)."""
    hint = {
        FileExistsError: " (a file is where a folder is needed)",
        NotADirectoryError: " (a file is where a folder is needed)",
        IsADirectoryError: " (a folder is where a file is needed)",
        FileNotFoundError: " (a folder on the path does not exist)",
    }.get(type(e), "")
    return f"cannot use '{e.filename}': {e.strerror or e}{hint}."


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rocket",
        description="Rocket: hyperparameter optimization by a self-play RL policy.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    tune = sub.add_parser(
        "tune", help="tune a task or a YAML study file (default: digits); reruns resume"
    )
    tune.add_argument(
        "target", nargs="?", default="digits", metavar="TASK|STUDY.yaml",
        help="a task name (see 'rocket tasks') or a study file",
    )
    tune.add_argument("--trials", type=int, default=None,
                      help="trials the study should hold in total (default 30 unless --budget)")
    tune.add_argument("--budget", type=float, default=None,
                      help="cost limit in full-data equivalents: a trial costs the compute "
                           "it used relative to a full-data run (about 1/9 on 1/9 of the data, "
                           "more when the task's step cap binds)")
    tune.add_argument("--storage", default=None,
                      help=f"Optuna storage URL (default {DEFAULT_STORAGE})")
    tune.add_argument("--workers", type=int, default=None, help="parallel workers (default 1)")
    tune.add_argument("--study-name", default=None, help="study name (default rocket-TASK)")
    tune.add_argument("--seed", type=int, default=None, help="random seed (default 0)")
    tune.add_argument("--sampler", default=None, choices=list(SAMPLERS),
                      help=f"optimizer (default {DEFAULT_SAMPLER})")
    tune.add_argument("--timeout-per-trial", type=float, default=None, metavar="SECONDS",
                      help="fail a trial that runs longer and end its process (default: none)")
    tune.add_argument("-v", "--verbose", action="store_true",
                      help="print one line per finished trial with its configuration")
    tune.add_argument("--no-reference", action="store_true",
                      help="a built-in task's new study does not start with the task's "
                           "reference configuration (by default it runs first, on the full "
                           "data)")
    tune.set_defaults(func=_cmd_tune)

    status_cmd = sub.add_parser("status", help="studies in a storage: trials, cost, best value")
    status_cmd.add_argument("--storage", default=DEFAULT_STORAGE, help="Optuna storage URL")
    # '--study-name' too: the spelling 'rocket tune' takes, which a user types next
    status_cmd.add_argument("--study", "--study-name", default=None,
                            help="one study (default: all)")
    status_cmd.set_defaults(func=_cmd_status)

    best_cmd = sub.add_parser("best", help="the best configuration of a study, as YAML or JSON")
    best_cmd.add_argument("--storage", default=DEFAULT_STORAGE, help="Optuna storage URL")
    best_cmd.add_argument("--study", "--study-name", default=None,
                          help="study name (default: the only one)")
    best_cmd.add_argument("--format", default="yaml", choices=["yaml", "json"])
    best_cmd.add_argument("--out", default=None, help="write to this file instead of stdout")
    best_cmd.set_defaults(func=_cmd_best)

    report_cmd = sub.add_parser("report", help="an HTML page and PNG figures about a study")
    report_cmd.add_argument("--storage", default=DEFAULT_STORAGE, help="Optuna storage URL")
    report_cmd.add_argument("--study", "--study-name", default=None,
                            help="study name (default: the only one)")
    report_cmd.add_argument("--out", default="rocket-report", help="output folder")
    report_cmd.set_defaults(func=_cmd_report)

    dash = sub.add_parser("dashboard", help="serve optuna-dashboard on a storage "
                          "(needs the 'dashboard' extra)")
    dash.add_argument("--storage", default=DEFAULT_STORAGE, help="Optuna storage URL")
    dash.add_argument("--host", default="127.0.0.1",
                      help="address to listen on (default 127.0.0.1: this machine only)")
    dash.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    dash.set_defaults(func=_cmd_dashboard)

    tasks_cmd = sub.add_parser("tasks", help="list the built-in tasks")
    tasks_cmd.set_defaults(func=_cmd_tasks)

    space = sub.add_parser("space", help="validate a search-space YAML/JSON file")
    space.add_argument("file", help="path to the space file")
    space.set_defaults(func=_cmd_space)

    bench = sub.add_parser(
        "benchmark", help="compare Rocket with peers at equal cost (needs the 'bench' extra)"
    )
    bench.add_argument("--suite", default=None,
                       help="yahpo-dev, yahpo-dev8, yahpo-train, synthetic, dl-quick")
    bench.add_argument("--tasks", default=None, help="comma-separated problems, e.g. "
                       "yahpo/lcbench/3945,mfpb/mfh6,dl/digits")
    bench.add_argument("--optimizers", default="rocket,random,tpe,tpe-hyperband,smac,smac-mf,dehb",
                       help="comma-separated optimizers (default: all but rocket-full)")
    bench.add_argument("--seeds", type=int, default=10, help="seeds per task and optimizer")
    bench.add_argument("--budget", type=float, default=30.0,
                       help="cost budget per run, in full-fidelity equivalents (default 30)")
    bench.add_argument("--workers", type=int, default=1, help="parallel processes (default 1)")
    bench.add_argument("--out", default="benchmark-results", help="output folder (resumable)")
    bench.add_argument("--cuts", default=None,
                       help="costs at which to also report regret and rank, read off the same "
                       "runs, e.g. 20,50 (default: the budget)")
    bench.add_argument("--allow-reserved", action="store_true",
                       help="run YAHPO instances outside the shared split's train and dev lists "
                       "(reserved for evaluation by others)")
    bench.set_defaults(func=_cmd_benchmark)

    from rocket_hpo.agent.pretrain.command import add_parser

    add_parser(sub)
    sub.choices["pretrain"].set_defaults(func=_cmd_pretrain)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["tune", *(argv or [])])
    try:
        code: Any = args.func(args)
    except KeyboardInterrupt:
        print("rocket: interrupted; the study is saved: run the same command again to resume.",
              file=sys.stderr)
        return 130
    except (UsageError, SpaceError, DataMissingError) as e:
        message = str(e)
        if isinstance(getattr(args, "storage", None), str):  # belt and braces: no password
            from rocket_hpo.runner import hide_password

            message = hide_password(message, args.storage)
        print(f"rocket: error: {message}", file=sys.stderr)
        return 2
    except OSError as e:
        if e.filename is None:  # not about a path (a socket, a pipe): not the user's to fix
            raise
        print(f"rocket: error: {_file_error(e)}", file=sys.stderr)
        return 2
    except RuntimeError as e:  # a worker process failed on its own (a bug, not the user's)
        from rocket_hpo.runner import WorkerError

        if not isinstance(e, WorkerError):
            raise
        print(f"rocket: error: {e} The study is saved; rerunning resumes it.", file=sys.stderr)
        return 1
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
