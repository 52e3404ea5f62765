"""What every benchmark shares: a throw-away database, production-like settings,
timing A beside B, and the line each benchmark prints."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

BASE_DIR = Path(__file__).resolve().parent.parent


def configure(database: Path | str | None = None) -> None:
    """Point Django at our own database (never the environment's), DEBUG off.

    ``database`` is a SQLite file, or a ``postgres://`` URL (of a database
    whose name starts with ``bench_``: ``bench/run.py`` checks it).
    """
    sys.path.insert(0, str(BASE_DIR))
    if database is not None:
        url = str(database)
        os.environ["DATABASE_URL"] = (
            url if url.startswith("postgres") else f"sqlite:///{database}"
        )
        # Files made by export jobs go beside the database, not in private/.
        if not url.startswith("postgres"):
            os.environ["EXPORTS_DIR"] = str(Path(database).parent / "exports")
    os.environ["DJANGO_DEBUG"] = "false"  # no query log in memory, like production
    # Plain HTTP on 127.0.0.1: no redirect to https for the web benchmarks.
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def adjust_settings() -> None:
    """After ``django.setup()``: the bench's URLs, static files without a manifest.

    ``bench/urls.py`` adds the reference bodies to the site's URLs. Static
    files are served by their plain names, so that no ``collectstatic`` run
    is needed (production looks each name up in the manifest: a dict).
    """
    from django.conf import settings
    from django.test.utils import override_settings

    # override_settings tells Django (setting_changed), which resets the
    # storages and the URL resolver that already read the settings.
    override_settings(
        ROOT_URLCONF="bench.urls",
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        },
    ).enable()


class Line(NamedTuple):
    """One line of the issue's table: our figure beside its reference."""

    what: str
    ours: str
    reference: str
    goal: str
    met: bool | None  # None: no goal stated as a number, or not measured

    def markdown(self) -> str:
        met = {True: "met", False: "NOT met", None: "-"}[self.met]
        return f"| {self.what} | {self.ours} | {self.reference} | {self.goal} | {met} |"


HEADER = (
    "| what | ours | reference (same run) | goal | |\n| --- | --- | --- | --- | --- |"
)


class Timing(NamedTuple):
    wall: float  # median seconds per call
    cpu: float  # median CPU seconds of this process per call


def alternate(
    ours: Callable[[], object],
    reference: Callable[[], object],
    *,
    rounds: int,
    calls: int = 1,
) -> tuple[Timing, Timing]:
    """Time A and B in turns (A, B, A, B...), ``calls`` calls a round.

    Medians of the rounds, per call: a busy neighbour slows both alike.
    """
    samples: dict[int, list[tuple[float, float]]] = {0: [], 1: []}
    for _ in range(rounds):
        for side, work in enumerate((ours, reference)):
            start, start_cpu = time.perf_counter(), time.process_time()
            for _ in range(calls):
                work()
            samples[side].append(
                (
                    (time.perf_counter() - start) / calls,
                    (time.process_time() - start_cpu) / calls,
                )
            )
    return tuple(
        Timing(
            statistics.median(s[0] for s in samples[side]),
            statistics.median(s[1] for s in samples[side]),
        )
        for side in (0, 1)
    )


def ms(timing: Timing) -> str:
    return f"{timing.wall * 1000:,.1f} ms (CPU {timing.cpu * 1000:,.1f} ms)"
