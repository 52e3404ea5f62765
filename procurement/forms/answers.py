"""The answer form of the assessment editor, which knows what the user changed.

Each criterion's form carries, hidden, a fingerprint of the values it was
shown with (``loaded``). On save, only the fields whose value differs from
that fingerprint go to ``services.record_answers``: a criterion the user did
not touch is not sent, so it cannot overwrite what a colleague saved
meanwhile. When a colleague changed a criterion the user changed too, the
editor shows both versions and asks, per criterion, which to keep
(``resolve``).

A new answer has no evidence type until the user picks one: a level chosen
without saying what supports it is refused, rather than silently stored as
"declared" (which caps a knock-out criterion). Each evidence option carries
the cap it puts on the criterion (``data-cap``, from the profile's evidence
caps, on knock-out criteria only, as the engine applies them), so the page
can show the cap as soon as the evidence is picked (static/js/app.js).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Answer
from ..services import AnswerData
from ..services.answers import MAX_JUSTIFICATION

UNKNOWN = "unknown"
NOT_APPLICABLE = "na"
MINE, THEIRS = "mine", "theirs"
# The form's fields that make up an answer, in the fingerprint's order.
ANSWER_FIELDS = ("answer", "evidence", "justification", "evidence_reference", "facts")


def _canonical(name: str, value: Any) -> str:
    """One field's value as typed or stored, in one spelling for both."""
    if name == "facts":
        return ",".join(str(pk) for pk in sorted(int(v) for v in value or ()))
    text = "" if value is None else str(value)
    return text.replace("\r\n", "\n").strip()


def fingerprint(values: dict[str, Any]) -> str:
    """Short hashes of each field's value: what the form was shown with."""
    return ";".join(
        hashlib.sha256(_canonical(name, values.get(name)).encode()).hexdigest()[:12]
        for name in ANSWER_FIELDS
    )


def initial_for(answer: Answer | None) -> dict:
    """The form values that show a stored answer (or no answer yet)."""
    if answer is None:
        values = {"answer": UNKNOWN, "evidence": ""}
        return {**values, "loaded": fingerprint(values)}
    if answer.not_applicable:
        choice = NOT_APPLICABLE
    elif answer.level is None:
        choice = UNKNOWN
    else:
        choice = str(answer.level)
    values = {
        "answer": choice,
        "evidence": answer.evidence,
        "justification": answer.justification,
        "evidence_reference": answer.evidence_reference,
        "facts": [fact.pk for fact in answer.facts.all()],
    }
    return {**values, "loaded": fingerprint(values)}


class EvidenceSelect(forms.Select):
    """The evidence types, each option with the level it caps a knock-out at."""

    def __init__(self, *args, caps=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.caps = caps or {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.caps:
            option["attrs"]["data-cap"] = str(self.caps[str(value)])
        return option


class AnswerForm(forms.Form):
    """One criterion's answer: a level (or unknown, or N/A) and its evidence."""

    answer = forms.ChoiceField(label=_("Level"), widget=forms.RadioSelect)
    evidence = forms.ChoiceField(label=_("Evidence"), required=False)
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        max_length=MAX_JUSTIFICATION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence_reference = forms.CharField(
        label=_("Evidence reference"),
        required=False,
        help_text=_("Where the evidence is: document, page, clause, link."),
    )
    facts = forms.TypedMultipleChoiceField(
        label=_("Facts cited"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    loaded = forms.CharField(required=False, widget=forms.HiddenInput)
    conflict = forms.BooleanField(required=False, widget=forms.HiddenInput)
    resolve = forms.ChoiceField(
        label=_("Which version to keep"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            (MINE, _("Mine (what I entered)")),
            (THEIRS, _("Theirs (as stored now)")),
        ],
    )

    def __init__(self, *args, line, evidence_types, facts, caps=None, **kwargs):
        self.line = line
        kwargs.setdefault("initial", initial_for(line.answer))
        kwargs.setdefault("prefix", line.code)
        super().__init__(*args, **kwargs)
        levels = [(UNKNOWN, _("Unknown"))]
        levels += [
            (str(d.level), d.text) for d in line.criterion.levels.all()
        ]  # the five descriptors, 0-4
        if line.criterion.na_allowed:
            levels.append((NOT_APPLICABLE, _("Not applicable")))
        self.fields["answer"].choices = levels
        evidence = self.fields["evidence"]
        evidence.widget = EvidenceSelect(caps=caps)
        evidence.choices = [("", _("Choose the evidence"))] + [
            (e.code, e.name) for e in evidence_types
        ]
        self.cites_facts = bool(facts)
        if self.cites_facts:
            self.fields["facts"].choices = [(f.pk, f.statement_i18n) for f in facts]
        else:
            del self.fields["facts"]

    @property
    def in_conflict(self) -> bool:
        """Shown as a conflict: the user chooses their version or the stored one."""
        value = self["conflict"].value()
        return value in (True, "True", "true", "on", "1")

    def clean(self):
        cleaned = super().clean()
        level = cleaned.get("answer")
        if level not in (None, UNKNOWN, NOT_APPLICABLE) and not cleaned.get("evidence"):
            self.add_error("evidence", _("Say which evidence supports this level."))
        if self.in_conflict and cleaned.get("resolve") not in (MINE, THEIRS):
            self.add_error(
                "resolve", _("Choose your version or the one stored by a colleague.")
            )
        return cleaned

    def changed_fields(self) -> list[str]:
        """The fields whose value differs from what the form was shown with.

        Without a fingerprint (a form posted by an older page), the values
        stored now stand in for it: nothing the user typed is dropped.
        """
        loaded = (self.cleaned_data.get("loaded") or "").split(";")
        if len(loaded) != len(ANSWER_FIELDS):
            loaded = fingerprint(initial_for(self.line.answer)).split(";")
        now = fingerprint(self.cleaned_data).split(";")
        return [
            name
            for name, before, after in zip(ANSWER_FIELDS, loaded, now, strict=True)
            if before != after and name in self.fields
        ]

    def answer_data(self) -> AnswerData | None:
        """Only what the user changed, or None when nothing (or theirs is kept)."""
        if self.in_conflict and self.cleaned_data.get("resolve") == THEIRS:
            return None
        changed = self.changed_fields()
        if not changed:
            return None
        data = self.cleaned_data
        given: dict[str, Any] = {}
        if "answer" in changed:
            choice = data["answer"]
            given["level"] = (
                None if choice in (UNKNOWN, NOT_APPLICABLE) else int(choice)
            )
            given["not_applicable"] = choice == NOT_APPLICABLE
        for name in ("evidence", "justification", "evidence_reference", "facts"):
            if name in changed and (name != "evidence" or data[name]):
                given[name] = data[name]
        return AnswerData(criterion=self.line.code, **given)

    def describe(self, values: dict) -> dict[str, str]:
        """Readable values of an answer, to compare two versions side by side."""
        levels = dict(self.fields["answer"].choices)
        evidence = dict(self.fields["evidence"].choices)
        choice = values.get("answer", UNKNOWN)
        level = str(levels.get(choice, choice))
        if choice not in (UNKNOWN, NOT_APPLICABLE):
            level = f"{choice}. {level}"
        code = values.get("evidence")
        return {
            "level": level,
            "evidence": str(evidence.get(code, code)),
            "justification": values.get("justification") or "",
            "evidence_reference": values.get("evidence_reference") or "",
        }

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Put ``InvalidAnswers.errors`` for this answer next to its fields."""
        fields = {"level": "answer", "not_applicable": "answer"}
        for key, messages in errors.items():
            field = fields.get(key, key)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
