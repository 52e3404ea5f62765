"""The award page's two forms: the published criteria, and the offers' marks."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import AwardCriterion
from ..services.award import AwardCriterionData

QUALITY_ROWS = 4


class AwardCriteriaForm(forms.Form):
    """Sovereignty and price weights, and up to four named quality criteria."""

    sovereignty_weight = forms.IntegerField(
        label=_("Sovereignty (this tool's global score): weight"),
        min_value=1,
        max_value=100,
    )
    price_weight = forms.IntegerField(
        label=_("Price: weight"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("0 or empty: price is not a criterion."),
    )
    price_formula = forms.ChoiceField(
        label=_("Price formula stated in the tender"),
        choices=AwardCriterion.Formula.choices,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, QUALITY_ROWS + 1):
            self.fields[f"quality_name_{n}"] = forms.CharField(
                label=_("Quality criterion %(n)s: name") % {"n": n},
                max_length=200,
                required=False,
            )
            self.fields[f"quality_weight_{n}"] = forms.IntegerField(
                label=_("Quality criterion %(n)s: weight") % {"n": n},
                min_value=0,
                max_value=100,
                required=False,
            )

    @staticmethod
    def initial_from(criteria) -> dict:
        initial = {"sovereignty_weight": 100, "price_formula": "proportional"}
        quality = 0
        for criterion in criteria:
            if criterion.kind == AwardCriterion.Kind.SOVEREIGNTY:
                initial["sovereignty_weight"] = criterion.weight
            elif criterion.kind == AwardCriterion.Kind.PRICE:
                initial["price_weight"] = criterion.weight
                initial["price_formula"] = criterion.formula
            elif quality < QUALITY_ROWS:
                quality += 1
                initial[f"quality_name_{quality}"] = criterion.name
                initial[f"quality_weight_{quality}"] = criterion.weight
        return initial

    def quality_rows(self):
        return [
            (self[f"quality_name_{n}"], self[f"quality_weight_{n}"])
            for n in range(1, QUALITY_ROWS + 1)
        ]

    def criteria(self) -> list[AwardCriterionData]:
        data = self.cleaned_data
        criteria = [
            AwardCriterionData(
                AwardCriterion.Kind.SOVEREIGNTY, data["sovereignty_weight"]
            )
        ]
        if data.get("price_weight"):
            criteria.append(
                AwardCriterionData(
                    AwardCriterion.Kind.PRICE,
                    data["price_weight"],
                    formula=data.get("price_formula") or "proportional",
                )
            )
        for n in range(1, QUALITY_ROWS + 1):
            name = data.get(f"quality_name_{n}", "").strip()
            weight = data.get(f"quality_weight_{n}")
            if name or weight:
                criteria.append(
                    AwardCriterionData(
                        AwardCriterion.Kind.QUALITY, weight or 0, name=name
                    )
                )
        return criteria
