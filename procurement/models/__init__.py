"""Who assesses what: organisations and their members, providers and their
dated facts, offers, procurements, assessments and their answers.

One module per concept: ``organisations`` (buyers, members and roles),
``providers`` (providers, facts, offers, certifications), ``procurements``,
``assessments`` (assessments and answers), ``bidders`` (bidders' claims,
evidence files, invitations), ``award`` (price and quality criteria beside
sovereignty), ``panel`` (evaluators scoring on their own, then a moderated
consensus), ``history`` (the hash-chained record of every change);
``localized`` reads shipped text in the page's language. Reads that views, the
API and exports share are QuerySet methods, above all ``visible_to(user)``: a
user sees their organisations' work plus the reference cases, nothing else.
Workflows that change several rows (answering, submitting, approving, ranking,
re-scoring) live in ``services``. ``jobs`` holds the exports made in the
background (``procurement.jobs``).
"""

from .assessments import Answer, Assessment, AssessmentQuerySet
from .award import AwardCriterion, AwardMark
from .bidders import Claim, EvidenceFile, Invitation
from .history import HistoryChain, HistoryEntry, HistoryEntryQuerySet
from .jobs import ExportJob, ExportJobQuerySet
from .localized import Localized
from .organisations import Membership, Organisation, OrganisationQuerySet
from .panel import (
    IndividualScore,
    ModerationDecision,
    PanelComment,
    PanelReview,
    PanelSeat,
)
from .procurements import Procurement, ProcurementQuerySet
from .providers import (
    Certification,
    Offer,
    OfferQuerySet,
    Provider,
    ProviderFact,
    ProviderQuerySet,
)

__all__ = [
    "Answer",
    "Assessment",
    "AssessmentQuerySet",
    "AwardCriterion",
    "AwardMark",
    "Certification",
    "Claim",
    "EvidenceFile",
    "HistoryChain",
    "HistoryEntry",
    "IndividualScore",
    "ModerationDecision",
    "PanelComment",
    "PanelReview",
    "PanelSeat",
    "HistoryEntryQuerySet",
    "Invitation",
    "ExportJob",
    "ExportJobQuerySet",
    "Localized",
    "Membership",
    "Offer",
    "OfferQuerySet",
    "Organisation",
    "OrganisationQuerySet",
    "Procurement",
    "ProcurementQuerySet",
    "Provider",
    "ProviderFact",
    "ProviderQuerySet",
]
