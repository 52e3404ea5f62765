"""The benchmark suite still runs: its smallest run, and its bulk data generator.

No figure is asserted here (no timed assertion in the suite): ``make bench``
gives the figures.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from bench.bulk import grow_organisation
from bench.generate import build_procurement
from procurement.models import Answer, Assessment, Procurement

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def test_the_quick_engine_benchmark_runs_and_prints_its_line_and_reference():
    completed = subprocess.run(
        [sys.executable, "bench/run.py", "--only", "engine", "--quick"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert "| engine, 45 answered criteria" in completed.stdout
    assert "plain weighted sum" in completed.stdout


@pytest.mark.django_db
def test_growing_an_organisation_copies_assessments_answers_and_cited_facts(
    catalogue,
):
    template = build_procurement(offers=1)
    organisation = template.organisation
    cited = Answer.facts.through.objects.filter(
        answer__assessment__procurement=template
    ).count()

    assert grow_organisation(template, answers=100) == 135
    assert grow_organisation(template, answers=200) == 225

    procurements = Procurement.objects.filter(organisation=organisation)
    assert procurements.count() == 5
    assert len({p.reference for p in procurements}) == 5
    copies = Assessment.objects.filter(organisation=organisation)
    assert {(a.global_score, a.eligible, a.answered) for a in copies} == {
        (
            template.assessments.get().global_score,
            template.assessments.get().eligible,
            45,
        )
    }
    assert (
        Answer.facts.through.objects.filter(
            answer__assessment__organisation=organisation
        ).count()
        == 5 * cited
    )
