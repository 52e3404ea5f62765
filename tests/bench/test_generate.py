"""The benchmark's data generator builds valid, complete assessments."""

import pytest

from bench.generate import build_procurement

pytestmark = pytest.mark.django_db


def test_generated_procurement_has_every_answer_with_a_long_justification(catalogue):
    procurement = build_procurement(offers=2)

    assessments = list(procurement.assessments.all())
    assert [a.answers.count() for a in assessments] == [45, 45]
    assert all(
        len(answer.justification) >= 300 for answer in assessments[0].answers.all()
    )
    assert [a.completeness for a in assessments] == [100, 100]
