"""Engine throughput: scorecards per second for 45 answered criteria.

Both sides start from the answers as the database gives them (rows of
criterion code, level, evidence, N/A, as ``values_list`` returns) and build
the engine's inputs (``AnswerInput``). Ours then runs ``scoring.engine.score``
under the N3 profile; the reference, in the same run and alternated with
ours, adds a plain weighted sum (the least any scoring must do: read each
answer, look its weight up, add). Answer sets are strong, middling and weak
offers with every evidence type. Figures are CPU time of this process
(medians of the rounds), which a busy machine disturbs less than wall time.
No database: the catalogue file is read directly. Goal: at least 10,000
scorecards/s.

Run: ``.venv/bin/python bench/run.py --only engine`` (``make bench`` runs it).
"""

from __future__ import annotations

import random
import statistics
import time

from bench.setup import Line

ROUNDS = 15
SETS = 200
GOAL = 10_000


def answer_rows(spec, count: int, seed: int = 2026) -> list[list[tuple]]:
    """Answer sets as database rows: (criterion, level, evidence, N/A)."""
    rng = random.Random(seed)
    sets = []
    for _ in range(count):
        strength = rng.choice((2, 3, 3, 4, 4))
        sets.append(
            [
                (
                    c.code,
                    max(0, min(4, strength + rng.choice((-1, 0, 0, 1)))),
                    rng.choice(("declared", "documented", "verified", "verified")),
                    False,
                )
                for c in spec.criteria
            ]
        )
    return sets


def weighted_sum(weights: dict[str, int], answers) -> int:
    """The reference: read each answer, look its weight up, add."""
    return sum(weights[a.criterion] * (a.level or 0) for a in answers)


def per_second(work, sets) -> float:
    start = time.process_time()
    for rows in sets:
        work(rows)
    return len(sets) / (time.process_time() - start)


def engine_line(*, rounds: int = ROUNDS, sets: int = SETS) -> Line:
    from scoring.engine import AnswerInput, score
    from scoring.loader import spec_from_file

    spec = spec_from_file()
    weights = {c.code: c.weight for c in spec.criteria}
    rows = answer_rows(spec, sets)

    def ours(answers):
        return score(spec, "N3", [AnswerInput(*row) for row in answers])

    def reference(answers):
        return weighted_sum(weights, [AnswerInput(*row) for row in answers])

    measured: dict[str, list[float]] = {"ours": [], "reference": []}
    for _ in range(rounds):
        measured["ours"].append(per_second(ours, rows))
        measured["reference"].append(per_second(reference, rows))
    ours_rate = statistics.median(measured["ours"])
    reference_rate = statistics.median(measured["reference"])
    return Line(
        "engine, 45 answered criteria (CPU time)",
        f"{ours_rate:,.0f} scorecards/s ({1e6 / ours_rate:,.0f} us each)",
        f"building the inputs + a plain weighted sum: {reference_rate:,.0f}/s",
        f">= {GOAL:,}/s",
        ours_rate >= GOAL,
    )
