"""URLs of the web UI (namespace ``procurement``)."""

from django.urls import path, re_path

from . import views

app_name = "procurement"

urlpatterns = [
    path("", views.home, name="home"),
    path("providers/", views.provider_list, name="provider-list"),
    path("providers/new/", views.provider_create, name="provider-create"),
    path("providers/<int:pk>/", views.provider_detail, name="provider-detail"),
    path("providers/<int:pk>/edit/", views.provider_edit, name="provider-edit"),
    path("providers/<int:pk>/offers/new/", views.offer_create, name="offer-create"),
    path("providers/<int:pk>/facts/new/", views.fact_create, name="fact-create"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer-edit"),
    path(
        "offers/<int:pk>/certifications/new/",
        views.certification_create,
        name="certification-create",
    ),
    path(
        "certifications/<int:pk>/remove/",
        views.certification_remove,
        name="certification-remove",
    ),
    path("procurements/", views.procurement_list, name="procurement-list"),
    path("procurements/new/", views.procurement_create, name="procurement-create"),
    path("procurements/<int:pk>/", views.procurement_detail, name="procurement-detail"),
    path(
        "procurements/<int:pk>/edit/", views.procurement_edit, name="procurement-edit"
    ),
    path(
        "procurements/<int:pk>/close/",
        views.procurement_close,
        name="procurement-close",
    ),
    path(
        "procurements/<int:pk>/open/", views.procurement_open, name="procurement-open"
    ),
    path(
        "procurements/<int:pk>/delete/",
        views.procurement_delete,
        name="procurement-delete",
    ),
    path(
        "procurements/<int:pk>/profile/",
        views.procurement_adjust,
        name="procurement-adjust",
    ),
    path(
        "procurements/<int:pk>/award/",
        views.procurement_award,
        name="procurement-award",
    ),
    path(
        "procurements/<int:pk>/compare/",
        views.procurement_compare,
        name="procurement-compare",
    ),
    path(
        "procurements/<int:pk>/history/",
        views.procurement_history,
        name="procurement-history",
    ),
    path(
        "procurements/<int:pk>/offers/add/",
        views.procurement_add_offer,
        name="procurement-add-offer",
    ),
    path(
        "procurements/<int:pk>/panel/",
        views.procurement_panel,
        name="procurement-panel",
    ),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path(
        "assessments/<int:pk>/my-scores/",
        views.assessment_my_scores,
        name="assessment-my-scores",
    ),
    path(
        "assessments/<int:pk>/moderation/",
        views.assessment_moderation,
        name="assessment-moderation",
    ),
    path(
        "assessments/<int:pk>/comments/",
        views.assessment_comment,
        name="assessment-comment",
    ),
    path(
        "assessments/<int:pk>/panel/override/",
        views.panel_override,
        name="panel-override",
    ),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment-edit"),
    path(
        "assessments/<int:pk>/submit/",
        views.assessment_submit,
        name="assessment-submit",
    ),
    path(
        "assessments/<int:pk>/approve/",
        views.assessment_approve,
        name="assessment-approve",
    ),
    path(
        "assessments/<int:pk>/reopen/",
        views.assessment_reopen,
        name="assessment-reopen",
    ),
    path(
        "assessments/<int:pk>/withdraw/",
        views.assessment_withdraw,
        name="assessment-withdraw",
    ),
    path(
        "assessments/<int:pk>/history/",
        views.assessment_history,
        name="assessment-history",
    ),
    path(
        "assessments/<int:pk>/rescore/",
        views.assessment_rescore,
        name="assessment-rescore",
    ),
    re_path(
        r"^assessments/(?P<pk>[0-9]+)/export/(?P<fmt>pdf|odt|docx|xlsx|csv|json)/$",
        views.assessment_export,
        name="assessment-export",
    ),
    re_path(
        r"^procurements/(?P<pk>[0-9]+)/export/(?P<fmt>pdf|odt|docx|xlsx|csv|json)/$",
        views.procurement_export,
        name="procurement-export",
    ),
    path(
        "organisations/<int:pk>/settings/",
        views.organisation_settings,
        name="organisation-settings",
    ),
    path(
        "organisations/<int:pk>/export/",
        views.organisation_export,
        name="organisation-export",
    ),
    path(
        "assessments/<int:pk>/files/",
        views.assessment_file_upload,
        name="assessment-file-upload",
    ),
    path("files/<int:pk>/", views.evidence_file, name="evidence-file"),
    path(
        "files/<int:pk>/remove/",
        views.evidence_file_remove,
        name="evidence-file-remove",
    ),
    path(
        "assessments/<int:pk>/invite/",
        views.assessment_invite,
        name="assessment-invite",
    ),
    path(
        "invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("assessments/<int:pk>/grid/", views.assessment_grid, name="assessment-grid"),
    path(
        "assessments/<int:pk>/grid/import/",
        views.assessment_grid_upload,
        name="assessment-grid-upload",
    ),
    path("exports/<uuid:pk>/", views.export_job, name="export-job"),
    path("exports/<uuid:pk>/file/", views.export_job_file, name="export-job-file"),
    path("method/", views.method_latest, name="method"),
    path(
        "method/<slug:slug>/<str:version>/",
        views.method_detail,
        name="method-detail",
    ),
    path("reference-cases/", views.reference_case_list, name="reference-case-list"),
    path(
        "reference-cases/<slug:key>/",
        views.reference_case_detail,
        name="reference-case-detail",
    ),
]
