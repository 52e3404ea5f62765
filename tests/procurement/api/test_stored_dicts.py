"""The snapshot's pillars and knock-outs, written without DRF's per-field
machinery, are what DRF itself writes for them."""

from decimal import Decimal

import pytest
from rest_framework import serializers

from procurement.api.assessments import (
    KnockOutSnapshotSerializer,
    PillarSnapshotSerializer,
)

PILLARS = [
    {
        "code": "JUR",
        "weight": "30.00",
        "score": "45.5",
        "score_claimed": "62.25",
        "trust_level": 2,
        "unknown": 1,
        "unknown_share": 12.5,
    },
    {
        "code": "OPS",
        "weight": "7.5",
        "score": None,
        "score_claimed": None,
        "trust_level": None,
    },
    {
        "code": "SEC",
        "weight": Decimal("12.345"),
        "score": "100",
        "score_claimed": "0",
        "trust_level": 4,
    },
]
KNOCKOUTS = [{"criterion": "JUR-1", "required": 3, "effective": 1}]


@pytest.mark.parametrize(
    ("serializer", "stored"),
    [(PillarSnapshotSerializer, p) for p in PILLARS]
    + [(KnockOutSnapshotSerializer, k) for k in KNOCKOUTS],
)
def test_a_stored_dict_is_written_as_drf_writes_it(serializer, stored):
    ours = serializer().to_representation(stored)
    drf = serializers.Serializer.to_representation(serializer(), stored)

    assert ours == dict(drf)
    assert [type(v) for v in ours.values()] == [type(v) for v in drf.values()]


def test_a_key_an_older_snapshot_lacks_is_null_rather_than_an_error():
    older = {"code": "JUR", "weight": "30.00", "score": "45.5", "trust_level": 2}

    assert PillarSnapshotSerializer().to_representation(older)["score_claimed"] is None
