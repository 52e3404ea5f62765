"""Workflows that change several rows, one module per concept.

- ``roles``: who may do what; every other module (and the views and the API)
  asks it, so the rule is written once.
- ``providers``: providers, their facts, offers and certifications.
- ``procurements``: create, edit, open, close, re-pin.
- ``assessments``: start, re-score; the stored scorecard snapshot.
- ``answers``: save what a user changed, merged with what others saved.
- ``workflow``: submit, approve (four eyes), reopen, withdraw.
- ``bidders``: invitations, the bidder's claims (questionnaire or grid).
- ``evidence``: evidence files on answers.
- ``panel``: a panel of evaluators scoring on their own, then a moderated consensus.
- ``rankings``: a procurement's offers in order, from the snapshots.

Every write checks the caller's role, runs in one transaction and, when it
changes answers, refreshes the snapshot in the same transaction. Callers use
the names below (``services.record_answers``); each module's docstring says
what belongs in it.
"""

from .answers import (
    UNSET,
    AnswerConflict,
    AnswerData,
    InvalidAnswers,
    record_answers,
    set_summary,
)
from .assessments import (
    CriterionChange,
    Rescore,
    StaleAssessment,
    refresh_snapshot,
    rescore_assessment,
    start_assessment,
    start_assessment_of_new_offer,
)
from .bidders import (
    ClaimData,
    InvitationGone,
    import_claims,
    invitation_for,
    invite_bidder,
    revoke_invitation,
    save_claims,
)
from .evidence import add_evidence, remove_evidence
from .procurements import (
    PROCUREMENT_FIELDS,
    adjust_method,
    close_procurement,
    create_procurement,
    delete_procurement,
    open_procurement,
    repin_procurement,
    update_procurement,
)
from .providers import (
    ProcurementClosed,
    add_certification,
    add_fact,
    certifications_with_expiry,
    create_offer,
    create_provider,
    remove_certification,
    update_fact,
    update_offer,
    update_provider,
)
from .rankings import Ranking, RankingRow, rank_procurement
from .workflow import (
    approve_assessment,
    reopen_assessment,
    set_four_eyes,
    submit_assessment,
    withdraw_assessment,
)

__all__ = [
    "PROCUREMENT_FIELDS",
    "UNSET",
    "AnswerConflict",
    "AnswerData",
    "ClaimData",
    "CriterionChange",
    "InvalidAnswers",
    "InvitationGone",
    "ProcurementClosed",
    "Ranking",
    "RankingRow",
    "Rescore",
    "StaleAssessment",
    "add_certification",
    "adjust_method",
    "add_evidence",
    "add_fact",
    "approve_assessment",
    "certifications_with_expiry",
    "close_procurement",
    "create_offer",
    "create_procurement",
    "create_provider",
    "delete_procurement",
    "import_claims",
    "invitation_for",
    "invite_bidder",
    "open_procurement",
    "rank_procurement",
    "record_answers",
    "refresh_snapshot",
    "remove_certification",
    "remove_evidence",
    "reopen_assessment",
    "revoke_invitation",
    "save_claims",
    "repin_procurement",
    "rescore_assessment",
    "set_four_eyes",
    "set_summary",
    "start_assessment",
    "start_assessment_of_new_offer",
    "submit_assessment",
    "update_fact",
    "update_offer",
    "update_procurement",
    "update_provider",
    "withdraw_assessment",
]
