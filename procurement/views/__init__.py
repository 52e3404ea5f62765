"""The web UI: server-rendered pages for buyers and evaluators.

One module per page family:

- ``home``: the landing page, what the user works on.
- ``providers``: providers, their offers, dated facts and certifications.
- ``procurements``: the list, opening one, its ranking, editing, opening and
  closing, putting an offer under assessment.
- ``assessments``: the scorecard, the editor (saving only what the user
  changed, with a screen to choose when a colleague changed the same
  criterion), submit, approve, reopen and withdraw, re-scoring under a newer
  catalogue.
- ``evidence``: evidence files, bidder invitations and the XLSX grid, for the
  buyer's team.
- ``bidders``: the bidder's questionnaire, reached without an account.
- ``panel``: a procurement's evaluation panel and its progress, an
  evaluator's own sheet (declaration of interests, blind scores, submission).
- ``moderation``: every evaluator's score side by side, the consensus with its
  rationale, and the comments of each criterion.
- ``history``: the record of an assessment or a procurement, as a timeline.
- ``organisations``: an organisation's settings (the four-eyes rule).
- ``method``: the method's versions, criteria and decisions register.
- ``reference_cases``: Cloudwatt, Numergy and the other reference cases.
- ``downloads``: a scorecard, a procurement's report, an organisation's data;
  the page of an export made in the background, and its file.
- ``pages``: what several of them share (rendering, pagination).

Views are thin. Every read starts from a ``visible_to(user)`` QuerySet, so
another organisation's object is a 404; every write goes through
``services``, which enforce roles (a refusal is a ``PermissionDenied``, which
Django turns into a 403); every number comes from ``scorecards`` and the
engine. Domain errors become form errors or messages, never a 500.
``urls.py`` uses the names below (``views.provider_list``).
"""

from .adjustment import procurement_adjust
from .assessments import (
    assessment_approve,
    assessment_detail,
    assessment_edit,
    assessment_reopen,
    assessment_rescore,
    assessment_submit,
    assessment_withdraw,
)
from .award import procurement_award
from .comparison import procurement_compare
from .downloads import (
    assessment_export,
    export_job,
    export_job_file,
    organisation_export,
    procurement_export,
)
from .evidence import (
    assessment_file_upload,
    assessment_grid,
    assessment_grid_upload,
    assessment_invite,
    evidence_file,
    evidence_file_remove,
    invitation_revoke,
)
from .history import assessment_history, procurement_history
from .home import home
from .method import method_detail, method_latest
from .moderation import assessment_comment, assessment_moderation
from .organisations import organisation_settings
from .panel import assessment_my_scores, panel_override, procurement_panel
from .procurements import (
    procurement_add_offer,
    procurement_close,
    procurement_create,
    procurement_delete,
    procurement_detail,
    procurement_edit,
    procurement_list,
    procurement_open,
)
from .providers import (
    certification_create,
    certification_remove,
    fact_create,
    offer_create,
    offer_edit,
    provider_create,
    provider_detail,
    provider_edit,
    provider_list,
)
from .reference_cases import reference_case_detail, reference_case_list

__all__ = [
    "assessment_approve",
    "assessment_comment",
    "assessment_detail",
    "assessment_edit",
    "assessment_export",
    "assessment_file_upload",
    "assessment_grid",
    "assessment_grid_upload",
    "assessment_invite",
    "assessment_history",
    "assessment_moderation",
    "assessment_my_scores",
    "assessment_reopen",
    "assessment_rescore",
    "assessment_submit",
    "assessment_withdraw",
    "certification_create",
    "certification_remove",
    "evidence_file",
    "evidence_file_remove",
    "export_job",
    "export_job_file",
    "fact_create",
    "home",
    "invitation_revoke",
    "offer_create",
    "offer_edit",
    "organisation_export",
    "organisation_settings",
    "panel_override",
    "procurement_add_offer",
    "procurement_close",
    "procurement_create",
    "procurement_delete",
    "procurement_detail",
    "procurement_edit",
    "procurement_export",
    "procurement_history",
    "procurement_compare",
    "procurement_award",
    "procurement_adjust",
    "procurement_list",
    "procurement_open",
    "procurement_panel",
    "provider_create",
    "provider_detail",
    "provider_edit",
    "provider_list",
    "method_detail",
    "method_latest",
    "reference_case_detail",
    "reference_case_list",
]
