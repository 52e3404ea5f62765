"""Every export format timed on one procurement: the README's "How long exports take".

``bench/run.py --only exports`` builds a procurement of ``--offers`` offers
(20 by default) and exports one assessment and the whole procurement in each
format ``--repeat`` times: min and median wall-clock seconds, median CPU
seconds of this process (which a busy machine disturbs less), file size,
pages of a PDF, queries. ``--formats pdf --kinds procurement`` times only
what you are working on.
"""

from __future__ import annotations

import statistics
import time

from bench.reports import pdf_pages

# As procurement.exports.FORMATS.
FORMATS = ("pdf", "odt", "docx", "xlsx", "csv", "json")
KINDS = ("assessment", "procurement")
HEADER = (
    "| export      | fmt  | min (s) | median (s) | cpu (s) | size (KB) | pages "
    "| queries |\n"
    "|-------------|------|---------|------------|---------|-----------|-------"
    "|---------|"
)


def export_table(procurement, *, repeat: int, formats, kinds) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from procurement.exports import export_assessment, export_procurement
    from procurement.services import rank_procurement

    assessment = rank_procurement(procurement).rows[0].assessment
    print(HEADER, flush=True)
    lines = []
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
            lines.append(
                _line(
                    kind,
                    fmt,
                    min(timings),
                    statistics.median(timings),
                    statistics.median(cpu),
                    len(exported.content),
                    pdf_pages(exported.content) if fmt == "pdf" else None,
                    len(queries),
                )
            )
            print(lines[-1], flush=True)
    return [HEADER, *lines]


def libraries() -> str:
    """WeasyPrint's version and whether HarfBuzz-Subset, which speeds it up, loaded."""
    from procurement.exports.pdf import load_weasyprint

    weasyprint = load_weasyprint()
    from weasyprint.text import ffi

    subset = "present" if ffi.harfbuzz_subset is not None else "absent"
    return f"WeasyPrint {weasyprint.__version__} (HarfBuzz-Subset {subset})"


def _line(kind, fmt, fastest, median, cpu, size, pages, queries) -> str:
    return (
        f"| {kind:<11} | {fmt:<4} | {fastest:>7.3f} | {median:>10.3f} | "
        f"{cpu:>7.3f} | {size / 1024:>9.1f} | {pages or '':>5} | {queries:>7} |"
    )
