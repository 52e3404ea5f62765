"""Time every export format on a procurement of 20 offers x 45 criteria.

Run with ``make bench`` (or ``.venv/bin/python bench/run.py``). It creates its
own SQLite database in a temporary directory (it never touches db.sqlite3 or
the DATABASE_URL of the environment), migrates it, builds the data with
``bench/generate.py``, then exports one assessment and the whole procurement
in each format a few times. It prints a table (min and median wall-clock
seconds, median CPU seconds of this process, which a busy machine disturbs
less, file size, pages of a PDF, queries) and writes it to ``bench/results/``
(ignored by git). ``--formats pdf --kinds procurement`` times only what you
are working on.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
FORMATS = ("pdf", "xlsx", "csv", "json")  # as procurement.exports.FORMATS
KINDS = ("assessment", "procurement")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--formats", nargs="+", choices=FORMATS, default=FORMATS, metavar="FMT"
    )
    parser.add_argument(
        "--kinds", nargs="+", choices=KINDS, default=KINDS, metavar="KIND"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cot-bench-") as tmp:
        _setup_django(Path(tmp) / "bench.sqlite3")
        return _run(
            offers=args.offers,
            repeat=args.repeat,
            formats=args.formats,
            kinds=args.kinds,
        )


def _setup_django(database: Path) -> None:
    sys.path.insert(0, str(BASE_DIR))
    # Our own throwaway database, whatever the environment says.
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_DEBUG"] = "false"  # no query log in memory, like production
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _run(*, offers: int, repeat: int, formats, kinds) -> int:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.generate import build_procurement
    from procurement.exports import export_assessment, export_procurement
    from procurement.services import rank_procurement

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    procurement = build_procurement(offers=offers)
    assessment = rank_procurement(procurement).rows[0].assessment
    print(
        f"Data: {offers} offers x 45 criteria built in "
        f"{time.perf_counter() - started:.1f} s.\n"
    )
    rows = []
    for kind, export, target in (
        ("assessment", export_assessment, assessment),
        ("procurement", export_procurement, procurement),
    ):
        if kind not in kinds:
            continue
        for fmt in (f for f in FORMATS if f in formats):
            timings, cpu = [], []
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as queries:
                    start, start_cpu = time.perf_counter(), time.process_time()
                    exported = export(target, fmt)
                    timings.append(time.perf_counter() - start)
                    cpu.append(time.process_time() - start_cpu)
            rows.append(
                (
                    kind,
                    fmt,
                    min(timings),
                    statistics.median(timings),
                    statistics.median(cpu),
                    len(exported.content),
                    _pages(exported.content) if fmt == "pdf" else None,
                    len(queries),
                )
            )
            print(_line(rows[-1]), flush=True)
    report = _report(rows, offers=offers, repeat=repeat)
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"exports-{time.strftime('%Y%m%d-%H%M%S')}.md"
    path.write_text(report, encoding="utf-8")
    print(f"\n{report}\nWritten to {path.relative_to(BASE_DIR)}.")
    return 0


def _pages(content: bytes) -> int:
    """Pages of a PDF (pypdf is a development requirement, like this bench)."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def _line(row) -> str:
    kind, fmt, fastest, median, cpu, size, pages, queries = row
    return (
        f"| {kind:<11} | {fmt:<4} | {fastest:>7.3f} | {median:>10.3f} | "
        f"{cpu:>7.3f} | {size / 1024:>9.1f} | {pages or '':>5} | {queries:>7} |"
    )


def _libraries() -> str:
    """WeasyPrint's version and whether HarfBuzz-Subset, which speeds it up, loaded."""
    from procurement.exports.pdf import load_weasyprint

    weasyprint = load_weasyprint()
    from weasyprint.text import ffi

    subset = "present" if ffi.harfbuzz_subset is not None else "absent"
    return f"WeasyPrint {weasyprint.__version__} (HarfBuzz-Subset {subset})"


def _report(rows, *, offers: int, repeat: int) -> str:
    lines = [
        f"Exports of a procurement of {offers} offers x 45 criteria "
        f"({repeat} runs each), {time.strftime('%Y-%m-%d %H:%M')}",
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{_libraries()}, SQLite",
        "",
        "| export      | fmt  | min (s) | median (s) | cpu (s) | size (KB) | pages "
        "| queries |",
        "|-------------|------|---------|------------|---------|-----------|-------"
        "|---------|",
        *(_line(row) for row in rows),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
