"""Mutation testing of the rules that protect people, time-boxed, against a reviewed list.

Usage: .venv/bin/python tests/mutation/run.py [--budget SECONDS] [--all | --module PATH ...]

For each module of tests/mutation/modules.toml, mutmut (3.x) mutates the file and runs each
mutant against the module's tests that reach the mutated function. The run fails when a
mutant survives (or no test reaches it) without a reason in tests/mutation/survivors.toml,
or when the whole run exceeds its time budget, in the modules marked `enforce` (the others
are reported for review). Prints the mutation score per module.

mutmut reads its settings from setup.cfg; this script writes one for each module and
removes it afterwards (pyproject.toml has no [tool.mutmut], so setup.cfg is read).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections import Counter
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# What a mutant's tests need besides the mutated package (mutmut copies these into mutants/).
ALSO_COPY = ["config", "search", "site", "manage.py", "home", "publishing"]
CAUGHT = {"killed", "timeout", "caught by type check"}
LOGS = ROOT / "var" / "mutation"
# Mutants tested at once, each on a test database of its own (MUTATION_CHILDREN overrides).
CHILDREN = int(os.environ.get("MUTATION_CHILDREN") or os.cpu_count() or 1)


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def write_setup_cfg(module: dict) -> None:
    lines = [
        "[mutmut]",
        "source_paths =\n    home\n    publishing",
        f"only_mutate = {module['path']}",
        "also_copy =\n" + "\n".join(f"    {path}" for path in ALSO_COPY),
        # SQLite test databases kept between mutants (--reuse-db; see run_module).
        "pytest_add_cli_args =\n    -p\n    no:cacheprovider\n    --reuse-db",
        "pytest_add_cli_args_test_selection =\n"
        + "\n".join(f"    {test}" for test in module["tests"]),
    ]
    (ROOT / "setup.cfg").write_text("\n".join(lines) + "\n")


def results() -> dict[str, str]:
    """Each mutant's status as mutmut reports it, by mutant name; exits saying mutmut's
    own error when it cannot report."""
    answer = subprocess.run(
        [str(ROOT / ".venv/bin/mutmut"), "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if answer.returncode:
        sys.exit(f"mutmut results failed ({answer.returncode}):\n{answer.stderr[-3000:]}")
    output = answer.stdout
    found = {}
    for line in output.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            found[name] = status
    return found


def show(name: str) -> str:
    """The mutant's diff (mutmut needs this module's setup.cfg to find it)."""
    shown = subprocess.run(
        [str(ROOT / ".venv/bin/mutmut"), "show", name], cwd=ROOT, capture_output=True, text=True
    )
    return "\n".join(
        line for line in shown.stdout.splitlines() if line.startswith(("+", "-", "@@"))
    )


def run_module(module: dict, deadline: float) -> dict[str, str]:
    write_setup_cfg(module)
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    # A test database per concurrent mutant (tests/conftest.py), migrated by the first
    # mutant to use it and reused by the next ones (--reuse-db): migrating afresh took 8 of
    # a mutant's 11 seconds. Fresh for each module, so no row outlives a module's run.
    pool = LOGS / "databases"
    shutil.rmtree(pool, ignore_errors=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "BROADSIDE_TEST_DATABASE_POOL": str(pool),
    }
    # mutmut's progress, per module, for whoever wonders where the time went.
    log = (LOGS / f"{module_name(module['path'])}.log").open("w")
    # Its own process group: at the time budget, mutmut and the mutants it forked all stop.
    mutmut = subprocess.Popen(
        # `mutants`: globs of mutant names (e.g. one function's) when only part of a file is a rule.
        [str(ROOT / ".venv/bin/mutmut"), "run", "--max-children", str(CHILDREN)]
        + module.get("mutants", []),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        mutmut.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        os.killpg(mutmut.pid, signal.SIGKILL)
        mutmut.wait()
        print(f"{module['path']}: stopped at the time budget", file=sys.stderr)
    finally:
        log.close()
    prefix = module_name(module["path"]) + "."
    globs = module.get("mutants", [prefix + "*"])
    return {
        name: status
        for name, status in results().items()
        if name.startswith(prefix) and any(fnmatch(name, glob) for glob in globs)
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--budget", type=float, default=float(os.environ.get("MUTATION_BUDGET", 1800))
    )
    parser.add_argument("--module", action="append", help="only these module paths")
    parser.add_argument(
        "--all", action="store_true", help="the modules still under review too (default: enforced)"
    )
    arguments = parser.parse_args()
    modules = tomllib.loads((HERE / "modules.toml").read_text())["module"]
    if arguments.module:
        modules = [m for m in modules if m["path"] in arguments.module]
    elif not arguments.all:
        # CI's run: what fails the build. A module under review is run on demand
        # (`make mutation-review`) rather than filling what is left of the budget.
        modules = [m for m in modules if m["enforce"]]
    modules.sort(key=lambda m: not m["enforce"])  # enforced first: the budget is theirs
    accepted = tomllib.loads((HERE / "survivors.toml").read_text()).get("survivors", {})
    deadline = time.monotonic() + arguments.budget
    unjustified, unfinished, pending = [], [], []
    try:
        for module in modules:
            started = time.monotonic()
            statuses = run_module(module, deadline)
            took = time.monotonic() - started
            counts = Counter(statuses.values())
            caught = sum(counts[status] for status in CAUGHT)
            checked = sum(
                n for status, n in counts.items() if status not in {"not checked", "skipped"}
            )
            score = 100 * caught / checked if checked else 0.0
            print(
                f"{module['path']}: {score:.1f}% caught ({caught}/{checked}) {dict(counts)}"
                f" in {took:.0f} s"
            )
            if not module["enforce"] and counts["not checked"]:
                pending.append(f"{module['path']}: {counts['not checked']} mutants not checked")
            for name, status in sorted(statuses.items()):
                if status == "not checked" and module["enforce"]:
                    unfinished.append(name)
                elif status == "not checked":
                    continue
                elif status not in CAUGHT | {"skipped"} and name not in accepted:
                    report = f"{name}: {status}\n{show(name)}"
                    (unjustified if module["enforce"] else pending).append(report)
    finally:
        (ROOT / "setup.cfg").unlink(missing_ok=True)
    for line in pending:
        print(f"TO REVIEW (module not enforced yet) {line}")
    for line in unjustified:
        print(f"UNJUSTIFIED SURVIVOR {line}")
    if unfinished:
        print(f"{len(unfinished)} mutants not checked within {arguments.budget:.0f} s")
    return 1 if unjustified or unfinished else 0


if __name__ == "__main__":
    sys.exit(main())
