"""Engine throughput: scorecards per second for 45 answered criteria.

Our figure: ``scoring.engine.score`` on prepared answer sets (strong, middling
and weak offers, every evidence type), under the N3 profile. The reference,
measured in the same run and alternated with ours: a plain weighted sum of
the same answers (the least any scoring must do: read each answer, look its
weight up, add). Each round times both on the same 200 answer sets; the
medians of the rounds are printed. No database: the catalogue file is read
directly. Goal: at least 10,000 scorecards/s.

Run: ``.venv/bin/python bench/engine.py`` (``make bench`` runs it).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROUNDS = 15
SETS = 200
GOAL = 10_000


def answer_sets(spec, count: int, seed: int = 2026) -> list[list]:
    from scoring.engine import AnswerInput

    rng = random.Random(seed)
    sets = []
    for _ in range(count):
        strength = rng.choice((2, 3, 3, 4, 4))
        sets.append(
            [
                AnswerInput(
                    c.code,
                    max(0, min(4, strength + rng.choice((-1, 0, 0, 1)))),
                    rng.choice(("declared", "documented", "verified", "verified")),
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
    for answers in sets:
        work(answers)
    return len(sets) / (time.process_time() - start)


def main() -> int:
    import django

    from bench.setup import configure

    configure()
    django.setup()
    from scoring.engine import score
    from scoring.loader import spec_from_file

    spec = spec_from_file()
    weights = {c.code: c.weight for c in spec.criteria}
    sets = answer_sets(spec, SETS)
    ours, reference = [], []
    for _ in range(ROUNDS):
        ours.append(per_second(lambda a: score(spec, "N3", a), sets))
        reference.append(per_second(lambda a: weighted_sum(weights, a), sets))
    ours_median, reference_median = (
        statistics.median(ours),
        statistics.median(reference),
    )
    print(
        f"engine, 45 answered criteria: {ours_median:,.0f} scorecards/s "
        f"({1e6 / ours_median:.0f} us each); reference (plain weighted sum): "
        f"{reference_median:,.0f}/s; goal >= {GOAL:,}/s: "
        f"{'met' if ours_median >= GOAL else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
