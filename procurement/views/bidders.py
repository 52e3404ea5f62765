"""The bidder's questionnaire: reachable without an account, through one link.

A link opens one assessment's questionnaire and nothing else of the buyer:
the criteria with their questions, the five level descriptors and the
evidence asked for, pillar by pillar. The bidder saves claims (a level and a
justification), attaches files, and submits once; then it is read-only. A
link that never existed is a 404, one that expired or was revoked a 410,
both without detail; wrong links from one address are throttled.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from .. import evidence, services
from ..models import Invitation
from .pages import render_page

UNKNOWN, NOT_APPLICABLE = "unknown", "na"
WRONG_LINKS_ALLOWED = 20  # per address and quarter of an hour
WRONG_LINKS_WINDOW = 15 * 60


class ClaimForm(forms.Form):
    """A bidder's answer to one criterion."""

    level = forms.ChoiceField(label=gettext_lazy("Level"), widget=forms.RadioSelect)
    justification = forms.CharField(
        label=gettext_lazy("Justification"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, criterion, claim=None, **kwargs):
        self.criterion = criterion
        self.claim = claim
        initial = {"level": UNKNOWN}
        if claim is not None:
            initial = {
                "level": NOT_APPLICABLE
                if claim.not_applicable
                else (UNKNOWN if claim.level is None else str(claim.level)),
                "justification": claim.justification,
            }
        super().__init__(*args, initial=initial, prefix=criterion.code, **kwargs)
        choices = [(UNKNOWN, _("I do not know yet"))]
        choices += [(str(d.level), d.text) for d in criterion.levels.all()]
        if criterion.na_allowed:
            choices.append((NOT_APPLICABLE, _("Not applicable")))
        self.fields["level"].choices = choices

    def claim_data(self) -> services.ClaimData:
        choice = self.cleaned_data["level"]
        return services.ClaimData(
            criterion=self.criterion.code,
            level=None if choice in (UNKNOWN, NOT_APPLICABLE) else int(choice),
            not_applicable=choice == NOT_APPLICABLE,
            justification=self.cleaned_data["justification"],
            documents=self.claim.documents if self.claim else "",
        )


def _client(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _open(request, token: str):
    """The invitation of a link, or the page that says it does not work."""
    key = f"bid-wrong-links:{_client(request)}"
    if cache.get(key, 0) >= WRONG_LINKS_ALLOWED:
        return None, render_page(
            request, "bidders/gone.html", {"reason": "throttled"}, status=429
        )
    try:
        return services.invitation_for(token), None
    except Invitation.DoesNotExist:
        if not cache.add(key, 1, WRONG_LINKS_WINDOW):
            cache.incr(key)
        return None, render_page(
            request, "bidders/gone.html", {"reason": "unknown"}, status=404
        )
    except services.InvitationGone:
        return None, render_page(
            request, "bidders/gone.html", {"reason": "gone"}, status=410
        )


@require_http_methods(["GET", "POST"])
def bid(request, token):
    """One pillar of the questionnaire; saving keeps a draft the bidder can resume."""
    invitation, refusal = _open(request, token)
    if refusal:
        return refusal
    with translation.override(request.GET.get("lang") or invitation.language):
        return _questionnaire(request, token, invitation)


def _questionnaire(request, token, invitation):
    assessment = invitation.assessment
    pillars = list(assessment.catalogue.pillars.order_by("position"))
    code = request.GET.get("pillar") or request.POST.get("pillar") or pillars[0].code
    pillar = next((p for p in pillars if p.code == code), pillars[0])
    criteria = list(
        assessment.catalogue.criteria.filter(pillar=pillar)
        .prefetch_related("levels")
        .order_by("position")
    )
    claims = {c.criterion_id: c for c in assessment.claims.all()}
    files = list(assessment.files.filter(criterion__pillar=pillar).order_by("pk"))
    read_only = invitation.submitted_at is not None
    data = request.POST if request.method == "POST" and not read_only else None
    forms_ = [
        ClaimForm(data, criterion=criterion, claim=claims.get(criterion.pk))
        for criterion in criteria
    ]
    if data is not None and all(form.is_valid() for form in forms_):
        try:
            services.save_claims(invitation, [f.claim_data() for f in forms_])
        except (ValidationError, PermissionDenied, services.ProcurementClosed) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Saved. You can come back to this link."))
            target = request.POST.get("next") or pillar.code
            url = reverse("bid", args=[token])
            return redirect(f"{url}?pillar={target}&lang={translation.get_language()}")
    index = pillars.index(pillar)
    return render_page(
        request,
        "bidders/questionnaire.html",
        {
            "invitation": invitation,
            "assessment": assessment,
            "token": token,
            "pillars": pillars,
            "pillar": pillar,
            "next_pillar": pillars[index + 1] if index + 1 < len(pillars) else None,
            "rows": [
                (form, [f for f in files if f.criterion_id == form.criterion.pk])
                for form in forms_
            ],
            "read_only": read_only,
            "answered": sum(
                1 for c in claims.values() if c.level is not None or c.not_applicable
            ),
            "total": assessment.catalogue.criteria.count(),
            "language": translation.get_language(),
        },
    )


@require_POST
def bid_file(request, token):
    """Attach a file to one criterion of the questionnaire."""
    invitation, refusal = _open(request, token)
    if refusal:
        return refusal
    code = request.POST.get("criterion", "")
    uploaded = request.FILES.get("file")
    pillar = request.POST.get("pillar", "")
    url = f"{reverse('bid', args=[token])}?pillar={pillar}#criterion-{code}"
    if uploaded is None:
        messages.error(request, _("Choose a file to attach."))
        return redirect(url)
    try:
        services.add_evidence(
            invitation.assessment, code, uploaded, invitation=invitation
        )
    except evidence.FileTooLarge as exc:
        messages.error(request, str(exc))
        return render_page(
            request, "bidders/gone.html", {"reason": "large", "back": url}, status=413
        )
    except (evidence.FileRefused, ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    except services.ProcurementClosed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("File attached to %(code)s.") % {"code": code})
    return redirect(url)


@require_http_methods(["GET", "POST"])
def bid_submit(request, token):
    """Hand the answers over to the buyer; the questionnaire becomes read-only."""
    invitation, refusal = _open(request, token)
    if refusal:
        return refusal
    if request.method == "POST" and invitation.submitted_at is None:
        try:
            services.save_claims(invitation, [], submit=True)
        except (ValidationError, PermissionDenied, services.ProcurementClosed) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(
                request, _("Your answers were sent to the buyer. Thank you.")
            )
        return redirect("bid", token=token)
    return render_page(
        request,
        "bidders/submit.html",
        {"invitation": invitation, "assessment": invitation.assessment, "token": token},
    )
