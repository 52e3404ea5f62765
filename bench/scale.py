"""Benchmarks at two sizes: list pages stay flat, the organisation export bounded.

``list_pages`` times the home page, the procurement list and the assessments
API with the test client; ``bench/run.py`` calls it on the small database,
grows the organisation with ``bench/bulk.py`` and calls it again: the figure
at the large size is ours, the one at the small size its reference.

``organisation_export`` runs ``manage.py export_organisation`` in a fresh
subprocess (``python -m bench.scale``) and reads its peak RSS with
``resource.getrusage``: the reference is the same process's peak before the
export starts (Python, Django and the app loaded).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.setup import BASE_DIR, Line, Timing, alternate, ms

PAGES = (
    ("home page", "/"),
    ("procurement list", "/procurements/"),
    ("assessments API", "/api/v1/assessments/"),
)
GOAL_MS = 60
SPAWN = (
    "import subprocess, sys; sys.exit(subprocess.call([sys.executable, *sys.argv[1:]]))"
)


def list_pages(client, *, rounds: int) -> dict[str, Timing]:
    """Median time of each list page, A/B alternated with the next one."""
    timings = {}
    for (name, url), (_next_name, next_url) in zip(
        PAGES, PAGES[1:] + PAGES[:1], strict=True
    ):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        timings[name], _other = alternate(
            lambda url=url: client.get(url),
            lambda next_url=next_url: client.get(next_url),
            rounds=rounds,
        )
    return timings


def list_lines(small, large, *, small_size: str, large_size: str) -> list[Line]:
    return [
        Line(
            f"{name} at {large_size} (test client)",
            ms(large[name]),
            f"at {small_size}: {ms(small[name])}",
            f"flat, < {GOAL_MS} ms",
            large[name].wall < GOAL_MS / 1000
            and large[name].wall < 2 * small[name].wall,
        )
        for name, _url in PAGES
    ]


def organisation_export(name: str, *, size: str) -> Line:
    """Peak RSS of ``export_organisation`` in a fresh process."""
    with tempfile.TemporaryDirectory(prefix="cot-bench-export-") as folder:
        output = Path(folder) / "organisation.json"
        # Through a small intermediate process: Linux carries the peak RSS of
        # the process that forks into the child's ru_maxrss (the copied memory
        # map's high-water mark, kept at exec), so a child of this large
        # process would report this process's size. The intermediate starts
        # small; its own child reports only its own peak.
        completed = subprocess.run(
            [sys.executable, "-c", SPAWN, "-m", "bench.scale", name, str(output)],
            cwd=BASE_DIR,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode:
            raise RuntimeError(completed.stderr[-2000:])
        figures = json.loads(completed.stdout.splitlines()[-1])
    return Line(
        f"organisation export, {size} (subprocess, JSON to a file)",
        f"peak RSS {figures['peak_mb']:,.0f} MB, {figures['seconds']:,.1f} s "
        f"(CPU {figures['cpu']:,.1f} s), {figures['size_mb']:,.0f} MB written",
        f"the same process before the export: {figures['baseline_mb']:,.0f} MB",
        "streamed, < 300 MB RSS",
        figures["peak_mb"] < 300,
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def _export(name: str, output: str) -> None:
    """In the subprocess: load everything, note the peak, export, note it again."""
    import django

    from bench.setup import configure

    configure()  # the parent's DATABASE_URL, inherited
    django.setup()
    from django.core.management import call_command

    import procurement.portability  # noqa: F401 - loaded before the baseline

    baseline = _peak_mb()
    start, start_cpu = time.perf_counter(), time.process_time()
    with open(os.devnull, "w") as quiet:
        call_command("export_organisation", name, output=output, stdout=quiet)
    print(
        json.dumps(
            {
                "baseline_mb": baseline,
                "peak_mb": _peak_mb(),
                "seconds": time.perf_counter() - start,
                "cpu": time.process_time() - start_cpu,
                "size_mb": Path(output).stat().st_size / 1e6,
            }
        )
    )


if __name__ == "__main__":
    _export(*sys.argv[1:3])
