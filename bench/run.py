"""The benchmarks of issue 11: each of our figures beside its reference, same run.

Run with ``make bench`` (or ``.venv/bin/python bench/run.py``). It creates its
own SQLite database in a temporary directory (it never touches db.sqlite3 or
the DATABASE_URL of the environment), or with ``--postgres URL`` uses a
PostgreSQL database whose name starts with ``bench_`` (created if missing,
dropped after if it was). Then, one benchmark per line of the issue's table:

- ``engine``: scorecards/s beside building the inputs + a plain weighted sum;
- ``ranking``: the ranking API on 50 offers beside ``rank_procurement``;
- ``page``: the procurement page of 50 offers beside the same HTML answered
  at once (``gunicorn -w 2`` when installed, else the test client);
- ``scorecard``: the scorecard API beside a ``JsonResponse`` of the same body;
- ``pdf``: the 20-offer procurement PDF beside its JSON export, and the API
  request for it, which must answer 202 with a job at once;
- ``lists``: home, procurement list and assessments API at the small size and
  after growing the organisation to ``--answers`` answers (``bench/bulk.py``);
- ``organisation``: the organisation export's peak RSS at that size, in a
  subprocess.

``exports`` (not in the default run) times every export format: the README's
"How long exports take". ``--only NAME ...`` runs some; ``--quick`` runs small
sizes and few rounds (a smoke test, not figures). The table is printed and
written to ``bench/results/`` (ignored by git).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.setup import BASE_DIR, HEADER, adjust_settings, configure  # noqa: E402

RESULTS_DIR = BASE_DIR / "bench" / "results"
BENCHMARKS = ("engine", "ranking", "page", "scorecard", "pdf", "lists", "organisation")
EXTRA = ("exports",)


def main(argv: list[str] | None = None) -> int:
    from bench.exports import FORMATS, KINDS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", nargs="+", choices=BENCHMARKS + EXTRA, default=BENCHMARKS
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, few rounds")
    parser.add_argument("--postgres", metavar="URL", help="postgres://.../bench_NAME")
    parser.add_argument("--answers", type=int, help="large size of `lists`")
    parser.add_argument("--offers", type=int, default=20, help="offers of `exports`")
    parser.add_argument("--repeat", type=int, default=3, help="runs of `exports`")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=FORMATS)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=KINDS)
    args = parser.parse_args(argv)
    if args.postgres and not _database_name(args.postgres).startswith("bench_"):
        parser.error("the PostgreSQL database's name must start with bench_")
    with tempfile.TemporaryDirectory(prefix="cot-bench-") as tmp:
        folder = Path(tmp)
        if args.postgres:
            os.environ["EXPORTS_DIR"] = str(folder / "exports")
            created = _create_database(args.postgres)
            configure(args.postgres)
        else:
            created = False
            configure(folder / "bench.sqlite3")
        try:
            return _run(args, folder)
        finally:
            if created:
                _drop_database(args.postgres)


def _run(args, folder: Path) -> int:
    import django

    django.setup()
    adjust_settings()
    # WhiteNoise notes that collectstatic never ran: the bench needs no files.
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ["BENCH_RAW_DIR"] = str(folder)
    only, quick = set(args.only), args.quick
    rounds = 3 if quick else 9
    lines = []
    started = time.perf_counter()
    if "engine" in only:
        from bench.engine import engine_line

        lines.append(_show(engine_line(rounds=3, sets=50) if quick else engine_line()))
    if only - {"engine"}:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        # Production's cache is a database table (the login lockout, throttles).
        call_command("createcachetable", verbosity=0)
    if only & {"ranking", "page", "scorecard"}:
        lines += _web(only, quick=quick, rounds=rounds, folder=folder)
    if only & {"lists", "organisation"}:
        lines += _scale(only, quick=quick, rounds=rounds, answers=args.answers)
    if "pdf" in only:
        from bench.generate import build_procurement
        from bench.reports import job_line, pdf_line
        from bench.web import client_for

        procurement = build_procurement(
            offers=2 if quick else 20, organisation="Bench PDF Ministry"
        )
        lines.append(_show(pdf_line(procurement, rounds=1 if quick else 3)))
        client = client_for(procurement.created_by)
        lines.append(_show(job_line(client, procurement, rounds=rounds)))
    table = []
    if "exports" in only:
        table = _exports(args)
    report = _report(lines, table, args, time.perf_counter() - started)
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"bench-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}.md"
    path.write_text(report, encoding="utf-8")
    print(f"\n{report}\nWritten to {path.relative_to(BASE_DIR)}.")
    return 0


def _web(only, *, quick: bool, rounds: int, folder: Path) -> list:
    from bench import web
    from bench.generate import build_procurement

    lines = []
    offers = 5 if quick else 50
    procurement = build_procurement(offers=offers)
    client = web.client_for(procurement.created_by)
    server = not quick and web.has_gunicorn()
    if "ranking" in only:
        lines.append(_show(web.ranking_api(client, procurement, rounds=rounds)))
    if "page" in only:
        line = web.served(
            client,
            what=f"procurement page, {offers} offers",
            url=f"/procurements/{procurement.pk}/",
            raw="procurement-page",
            goal="p50 < 100 ms",
            raw_dir=folder,
            rounds=rounds if not server else 3,
            server=server,
            met=lambda ours, reference: ours < 0.100,
        )
        lines.append(_show(line))
        line = web.report_rendered(
            client,
            what=f"procurement page, {offers} offers",
            url=f"/procurements/{procurement.pk}/",
            rounds=rounds,
        )
        lines.append(_show(line))
    if "scorecard" in only:
        assessment = procurement.assessments.order_by("pk").first()
        line = web.served(
            client,
            what="scorecard API",
            url=f"/api/v1/assessments/{assessment.pk}/scorecard/",
            raw="scorecard",
            goal=">= 0.3x the raw response",
            raw_dir=folder,
            rounds=rounds if not server else 3,
            server=server,
            met=lambda ours, reference: reference / ours >= 0.3,
        )
        lines.append(_show(line))
    return lines


def _scale(only, *, quick: bool, rounds: int, answers: int | None) -> list:
    from bench import scale, web
    from bench.generate import build_procurement

    lines = []
    # Copies of a 2-offer procurement: many procurements and assessments,
    # so that both sizes fill every list's first page, and what may grow
    # is the cost of the rows not shown. The small size is a tenth.
    template = build_procurement(offers=2, organisation="Bench Lists Ministry")
    # The user leads a second organisation too, as in the measurements:
    # no index of one organisation gives the order of two.
    build_procurement(offers=2, organisation="Bench Second Ministry")
    client = web.client_for(template.created_by)
    large_target = answers or (9_000 if quick else 200_000)
    small = _grow(template, large_target // 10)
    small_times = scale.list_pages(client, rounds=rounds) if "lists" in only else {}
    large = _grow(template, large_target)
    if "lists" in only:
        large_times = scale.list_pages(client, rounds=rounds)
        for line in scale.list_lines(
            small_times,
            large_times,
            small_size=f"{small:,} answers",
            large_size=f"{large:,} answers",
        ):
            lines.append(_show(line))
    if "organisation" in only:
        name = template.organisation.name
        line = scale.organisation_export(name, size=f"{large:,} answers")
        lines.append(_show(line))
    return lines


def _exports(args) -> list[str]:
    from bench.exports import export_table
    from bench.generate import build_procurement

    procurement = build_procurement(
        offers=args.offers, organisation="Bench Exports Ministry"
    )
    return export_table(
        procurement, repeat=args.repeat, formats=args.formats, kinds=args.kinds
    )


def _grow(procurement, answers: int) -> int:
    from bench.bulk import grow_organisation

    start = time.perf_counter()
    grown = grow_organisation(procurement, answers=answers)
    from django.db import connection

    # What autovacuum does on PostgreSQL after a table grows (statistics, and
    # the visibility map that lets a count read an index alone), and `migrate`
    # (each `make run`) or an organisation import on SQLite: without it, the
    # bulk load is planned for the empty tables it started from, and on
    # PostgreSQL autovacuum would run during the measurements.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            # Write the load's dirty pages now: a checkpoint during the
            # measurements made a page wait 60 ms on the disk.
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
    print(
        f"(the organisation has {grown:,} answers, "
        f"{time.perf_counter() - start:,.0f} s to grow it)",
        flush=True,
    )
    return grown


def _show(line):
    print(line.markdown(), flush=True)
    return line


def _report(lines, table, args, seconds: float) -> str:
    from django.db import connection

    from bench.exports import libraries
    from bench.web import has_gunicorn

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    head = [
        f"Benchmarks{' (--quick: a smoke test, not figures)' if args.quick else ''}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {seconds:,.0f} s",
        f"{platform.node()}: {os.cpu_count()} CPUs (load average {load}), "
        f"Python {platform.python_version()}, {connection.vendor}, "
        f"gunicorn {'present' if has_gunicorn() else 'absent'}",
    ]
    if "pdf" in args.only or "exports" in args.only:
        head.append(libraries())
    body = [HEADER, *(line.markdown() for line in lines)] if lines else []
    return "\n".join([*head, "", *body, "", *table]).strip() + "\n"


def _database_name(url: str) -> str:
    return url.rsplit("/", 1)[-1].split("?", 1)[0]


def _create_database(url: str) -> bool:
    """Create the bench_ database if missing; True when this run created it."""
    import psycopg

    name = _database_name(url)
    with psycopg.connect(_maintenance(url), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    return not exists


def _drop_database(url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(_maintenance(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{_database_name(url)}"')


def _maintenance(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/postgres"


if __name__ == "__main__":
    sys.exit(main())
