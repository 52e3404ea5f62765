"""Web benchmarks: the ranking API, the procurement page, the scorecard API.

Each is timed beside its reference in the same run, A and B in turns:

- ranking API (Django's test client, in this process) against
  ``rank_procurement``, the stored-snapshot ranking it is built on;
- procurement page and scorecard API against the same body computed once and
  answered through the same middleware (``bench/urls.py``): with
  ``gunicorn -w 2`` and two clients at a time when gunicorn is installed and
  ``--quick`` is not given, else with the test client, in this process.

A gunicorn figure is requests per second of two clients and the median
latency; the CPU is the two workers' own (from ``/proc``), per request.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.setup import BASE_DIR, Line, alternate, ms

GUNICORN = Path(sys.executable).with_name("gunicorn")


def client_for(user):
    """A logged-in test client on an allowed host (no test settings needed)."""
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def ranking_api(client, procurement, *, rounds: int) -> Line:
    from django.db import connection

    from procurement.services import rank_procurement

    url = f"/api/v1/procurements/{procurement.pk}/ranking/"
    offers = procurement.assessments.count()
    _expect(client.get(url), 200)
    ours, reference = alternate(
        lambda: client.get(url), lambda: rank_procurement(procurement), rounds=rounds
    )
    return Line(
        f"ranking API, {offers} offers (test client, {connection.display_name})",
        ms(ours),
        f"`rank_procurement`: {ms(reference)}",
        "< 50 ms",
        ours.wall < 0.050,
    )


def report_rendered(client, *, what: str, url: str, rounds: int) -> Line:
    """The page with its report rendered at every view (no kept report),
    beside the page that serves the kept one, both with the test client."""
    from django.test.utils import override_settings

    def rendered():
        with override_settings(PROCUREMENT_REPORT_CACHE_SECONDS=0):
            return client.get(url)

    _expect(rendered(), 200)
    _expect(client.get(url), 200)
    ours, reference = alternate(rendered, lambda: client.get(url), rounds=rounds)
    return Line(
        f"{what}, the report rendered at every view (test client)",
        ms(ours),
        f"the kept report: {ms(reference)}",
        "(what a first view after a change costs)",
        None,
    )


def served(
    client,
    *,
    what: str,
    url: str,
    raw: str,
    goal: str,
    raw_dir: Path,
    rounds: int,
    server: bool,
    met,
) -> Line:
    """``url`` beside the same body answered at once by ``/bench/raw/<raw>/``.

    ``met(ours, reference)`` judges the goal on the two median latencies.
    """
    response = client.get(url)
    _expect(response, 200)
    kind = "json" if response["Content-Type"].startswith("application/json") else "html"
    (raw_dir / f"{raw}.{kind}").write_bytes(response.content)
    size = f"{len(response.content) / 1024:,.0f} KB"
    reference_url = f"/bench/raw/{raw}/"
    if not server:
        _expect(client.get(reference_url), 200)
        ours, reference = alternate(
            lambda: client.get(url), lambda: client.get(reference_url), rounds=rounds
        )
        return Line(
            f"{what} (test client)",
            ms(ours),
            f"the same {size} body answered at once: {ms(reference)}",
            goal,
            met(ours.wall, reference.wall),
        )
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    with gunicorn(raw_dir) as (port, pid):
        samples = {url: [], reference_url: []}
        for path in samples:  # warm up: both workers load Django and the page
            load(port, pid, path, cookie, seconds=1)
        for _ in range(rounds):
            for path in samples:
                samples[path].append(load(port, pid, path, cookie))
    ours, reference = (_summary(samples[path]) for path in (url, reference_url))
    return Line(
        f"{what} (gunicorn -w 2, 2 clients)",
        _rate(ours),
        f"the same {size} body answered at once: {_rate(reference)}",
        goal,
        met(ours[1], reference[1]),
    )


def load(port: int, pid: int, path: str, cookie: str, *, seconds: float = 3.0):
    """Two clients requesting ``path`` for ``seconds``: (req/s, latencies, CPU s)."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    cpu_before = _workers_cpu(pid)

    def client():
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", path, headers={"Cookie": cookie})
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status}")
            latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cpu = (_workers_cpu(pid) - cpu_before) / max(1, len(latencies))
    return len(latencies) / elapsed, latencies, cpu


def _summary(samples):
    rate = statistics.median(s[0] for s in samples)
    p50 = statistics.median(x for s in samples for x in s[1])
    cpu = statistics.median(s[2] for s in samples)
    return rate, p50, cpu


def _rate(summary) -> str:
    rate, p50, cpu = summary
    return (
        f"{rate:,.1f} req/s, p50 {p50 * 1000:,.0f} ms "
        f"(workers' CPU {cpu * 1000:,.1f} ms/req)"
    )


@contextmanager
def gunicorn(raw_dir: Path) -> Iterator[tuple[int, int]]:
    """``gunicorn -w 2`` on the benchmark's database, until the block ends."""
    port = _free_port()
    env = {**os.environ, "BENCH_RAW_DIR": str(raw_dir)}
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "bench.wsgi:application",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        _wait_for(port, process)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def has_gunicorn() -> bool:
    return GUNICORN.exists() or shutil.which("gunicorn") is not None


def _workers_cpu(pid: int) -> float:
    """CPU seconds (user + system) of the master's children, from /proc."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for child in children:
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped at start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer")


def _expect(response, status: int) -> None:
    if response.status_code != status:
        raise RuntimeError(
            f"{response.request['PATH_INFO']} answered {response.status_code}, "
            f"not {status}"
        )
