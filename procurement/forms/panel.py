"""Forms of the evaluation panel's pages: the panel, declarations, scores,
the consensus and comments.

They parse what a user typed into the data ``services.panel`` takes
(``SeatData``, ``ScoreData``, keyword arguments); the services check roles,
conflicts and submissions, and their ``ValidationError`` comes back next to
the fields.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Answer, IndividualScore, ModerationDecision
from ..services.panel import ScoreData, SeatData
from .answers import NOT_APPLICABLE, UNKNOWN


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


class PanelForm(forms.Form):
    """Who sits on the panel: per member, a seat, their pillars, moderator."""

    def __init__(self, *args, members, pillars, seats, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        seated = {seat.user_id: seat for seat in seats}
        choices = [(p.code, f"{p.code} · {p.name}") for p in pillars]
        for user in self.members:
            seat = seated.get(user.pk)
            self.fields[f"seat_{user.pk}"] = forms.BooleanField(
                label=_person(user), required=False, initial=seat is not None
            )
            self.fields[f"pillars_{user.pk}"] = forms.MultipleChoiceField(
                label=_("Pillars"),
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=list(seat.pillars) if seat else [],
                help_text=_("None ticked: every pillar."),
            )
            self.fields[f"moderator_{user.pk}"] = forms.BooleanField(
                label=_("Moderator"),
                required=False,
                initial=bool(seat and seat.moderator),
            )

    def rows(self):
        """(user, seat, pillars, moderator) bound fields, one row per member."""
        return [
            (
                user,
                self[f"seat_{user.pk}"],
                self[f"pillars_{user.pk}"],
                self[f"moderator_{user.pk}"],
            )
            for user in self.members
        ]

    def seats(self) -> list[SeatData]:
        data = self.cleaned_data
        return [
            SeatData(
                user.pk,
                data[f"pillars_{user.pk}"],
                data[f"moderator_{user.pk}"],
            )
            for user in self.members
            if data[f"seat_{user.pk}"]
        ]


class DeclarationForm(forms.Form):
    """An evaluator's declaration of interests in one offer, before scoring it."""

    conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this bidder?"),
        choices=[
            ("no", _("No: I have no conflict of interest with this bidder")),
            ("yes", _("Yes: I declare a conflict of interest")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(
        label=_("Statement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "With a conflict: what links you to the bidder. A lead may still let "
            "you score, giving a reason."
        ),
    )


class OverrideForm(forms.Form):
    """A lead lets a conflicted evaluator score an offer, with a reason."""

    evaluator = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for letting this evaluator score"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _level_choices(criterion):
    levels = [(UNKNOWN, _("Unknown"))]
    levels += [(str(d.level), d.text) for d in criterion.levels.all()]
    if criterion.na_allowed:
        levels.append((NOT_APPLICABLE, _("Not applicable")))
    return levels


def _choice(level, not_applicable) -> str:
    if not_applicable:
        return NOT_APPLICABLE
    return UNKNOWN if level is None else str(level)


class ScoreForm(forms.Form):
    """One evaluator's score of one criterion: level, evidence, justification.

    A criterion left without a level is not sent: the sheet counts as scored
    only what the evaluator chose, "unknown" included.
    """

    answer = forms.ChoiceField(
        label=_("Level"), required=False, widget=forms.RadioSelect
    )
    evidence = forms.ChoiceField(label=_("Evidence"))
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args, criterion, evidence_types, score: IndividualScore | None, **kw
    ):
        self.criterion = criterion
        kw.setdefault("prefix", criterion.code)
        if score is not None:
            kw.setdefault(
                "initial",
                {
                    "answer": _choice(score.level, score.not_applicable),
                    "evidence": score.evidence,
                    "justification": score.justification,
                },
            )
        else:
            kw.setdefault("initial", {"evidence": Answer.Evidence.DECLARED})
        super().__init__(*args, **kw)
        # Not required: a criterion left blank is not scored yet.
        self.fields["answer"].choices = _level_choices(criterion)
        self.fields["evidence"].choices = [(e.code, e.name) for e in evidence_types]

    def score_data(self) -> ScoreData | None:
        """The score to save, or None when no level was chosen."""
        choice = self.cleaned_data.get("answer")
        if not choice:
            return None
        return ScoreData(
            self.criterion.code,
            level=None if choice in (UNKNOWN, NOT_APPLICABLE) else int(choice),
            evidence=self.cleaned_data["evidence"],
            not_applicable=choice == NOT_APPLICABLE,
            justification=self.cleaned_data["justification"],
        )


class SubmitScoresForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "My scores of this offer are final: once submitted I cannot change "
            "them, and I see my colleagues' scores."
        )
    )


class ConsensusForm(forms.Form):
    """The moderator's consensus on one criterion, with its rationale.

    ``decision`` fills it in: the consensus recorded so far, or the score the
    evaluators all gave; the rationale is always written anew.
    """

    answer = forms.ChoiceField(label=_("Consensus level"), widget=forms.RadioSelect)
    evidence = forms.ChoiceField(label=_("Evidence"))
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the panel agreed on this level; kept in the record."),
    )

    def __init__(
        self,
        *args,
        criterion,
        evidence_types,
        decision: ModerationDecision | IndividualScore | None,
        **kw,
    ):
        self.criterion = criterion
        kw.setdefault("prefix", f"consensus-{criterion.code}")
        if decision is not None:
            kw.setdefault(
                "initial",
                {
                    "answer": _choice(decision.level, decision.not_applicable),
                    "evidence": decision.evidence,
                },
            )
        super().__init__(*args, **kw)
        self.fields["answer"].choices = _level_choices(criterion)
        self.fields["evidence"].choices = [(e.code, e.name) for e in evidence_types]

    def consensus(self) -> dict:
        """The keyword arguments of ``services.panel.record_consensus``."""
        choice = self.cleaned_data["answer"]
        return {
            "criterion": self.criterion.code,
            "level": None if choice in (UNKNOWN, NOT_APPLICABLE) else int(choice),
            "not_applicable": choice == NOT_APPLICABLE,
            "evidence": self.cleaned_data["evidence"],
            "rationale": self.cleaned_data["rationale"],
        }


class CommentForm(forms.Form):
    """A message in the thread of one criterion."""

    RETURN_TO = [("my-scores", "my-scores"), ("moderation", "moderation")]

    criterion = forms.CharField(widget=forms.HiddenInput)
    return_to = forms.ChoiceField(choices=RETURN_TO, widget=forms.HiddenInput)
    pillar = forms.CharField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))
