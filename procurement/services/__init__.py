"""Workflows that change several rows, one module per concept.

- ``roles``: who may do what; every other module (and the views and the API)
  asks it, so the rule is written once.
- ``providers``: providers, their facts, offers and certifications.
- ``procurements``: create, edit, open, close, re-pin.
- ``assessments``: start, answer, submit, approve, reopen, re-score; the
  stored scorecard snapshot.
- ``rankings``: a procurement's offers in order, from the snapshots.

Every write checks the caller's role, runs in one transaction and, when it
changes answers, refreshes the snapshot in the same transaction. Callers use
the names below (``services.record_answers``); each module's docstring says
what belongs in it.
"""

from .assessments import (
    AnswerData,
    CriterionChange,
    InvalidAnswers,
    Rescore,
    StaleAssessment,
    approve_assessment,
    record_answers,
    refresh_snapshot,
    reopen_assessment,
    rescore_assessment,
    start_assessment,
    start_assessment_of_new_offer,
    submit_assessment,
)
from .procurements import (
    PROCUREMENT_FIELDS,
    close_procurement,
    create_procurement,
    open_procurement,
    repin_procurement,
    update_procurement,
)
from .providers import (
    add_certification,
    add_fact,
    certifications_with_expiry,
    create_offer,
    create_provider,
    remove_certification,
    update_offer,
    update_provider,
)
from .rankings import Ranking, RankingRow, rank_procurement

__all__ = [
    "PROCUREMENT_FIELDS",
    "AnswerData",
    "CriterionChange",
    "InvalidAnswers",
    "Ranking",
    "RankingRow",
    "Rescore",
    "StaleAssessment",
    "add_certification",
    "add_fact",
    "approve_assessment",
    "certifications_with_expiry",
    "close_procurement",
    "create_offer",
    "create_procurement",
    "create_provider",
    "open_procurement",
    "rank_procurement",
    "record_answers",
    "refresh_snapshot",
    "remove_certification",
    "reopen_assessment",
    "repin_procurement",
    "rescore_assessment",
    "start_assessment",
    "start_assessment_of_new_offer",
    "submit_assessment",
    "update_offer",
    "update_procurement",
    "update_provider",
]
