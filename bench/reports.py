"""The procurement PDF beside its JSON export, and the request that asks for it.

``pdf_line`` makes the PDF and the JSON export of the same procurement in
turns, in this process (as the worker does). ``job_line`` asks for the PDF
through the API, as a user's click does: it must answer ``202`` with the
job's URL at once, whatever the report's size (no worker runs here, so the
job stays queued; the time is the request's own).
"""

from __future__ import annotations

import gc
import io
import resource

from bench.setup import Line, Timing, alternate, ms


def pdf_line(procurement, *, rounds: int) -> Line:
    from procurement.exports import export_procurement

    offers = procurement.assessments.count()
    pages = {}

    def pdf():
        pages["pdf"] = pdf_pages(export_procurement(procurement, "pdf").content)
        gc.collect()  # free the layout before the next turn, as a worker would

    before = _peak_mb()
    pdf()  # warm up: WeasyPrint's imports and the fonts, once per process
    growth = _peak_mb() - before
    ours, reference = alternate(
        pdf, lambda: export_procurement(procurement, "json"), rounds=rounds
    )
    return Line(
        f"{offers}-offer procurement PDF ({pages['pdf']} pages, in the worker)",
        f"{_seconds(ours)}; peak RSS +{growth:,.0f} MB",
        f"its JSON export: {_seconds(reference)}",
        "never blocks a request",
        None,
    )


def job_line(client, procurement, *, rounds: int) -> Line:
    from procurement.models import ExportJob

    url = f"/api/v1/procurements/{procurement.pk}/export/pdf/"
    statuses = set()

    def ask():
        response = client.get(url)
        statuses.add(response.status_code)
        ExportJob.objects.all().delete()  # a new job each time, not the kept one

    ours, reference = alternate(
        ask,
        lambda: client.get(f"/api/v1/procurements/{procurement.pk}/"),
        rounds=rounds,
    )
    return Line(
        "asking for that PDF (API, test client)",
        f"HTTP {', '.join(map(str, sorted(statuses)))} with the job in {ms(ours)}",
        f"the procurement's detail API: {ms(reference)}",
        "202 at once",
        statuses == {202} and ours.wall < 0.5,
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def _seconds(timing: Timing) -> str:
    return f"{timing.wall:,.2f} s (CPU {timing.cpu:,.2f} s)"


def pdf_pages(content: bytes) -> int:
    """Pages of a PDF (pypdf is a development requirement, like this bench)."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)
