"""The method as rows: catalogues, pillars, criteria, level descriptors, profiles.

A catalogue is loaded from a versioned YAML file (see ``loader``) and never
edited by hand once published: a change to the method is a new version, so
every assessment can say exactly which rules scored it. Texts a user reads are
stored in English and French (``*_en``/``*_fr`` columns) and read through
``Translated``, which follows the active language.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Prefetch
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import engine

_SPECS: dict[str, engine.CatalogueSpec] = {}

# Published catalogues with their method loaded (``Catalogue.with_method``),
# kept in each process: a published catalogue never changes (the loader
# refuses), so pages and the API read it from memory instead of some 700 rows
# a request. Keyed by row, content and load time, so that a row reloaded or
# made again under the same id never meets an old entry; drafts are always
# read afresh. A few versions at most: the oldest goes first.
_METHODS: dict[tuple, Catalogue] = {}
METHODS_KEPT = 16

LEVEL_CHOICES = [(level, str(level)) for level in range(engine.MAX_LEVEL + 1)]


def forget_methods() -> None:
    """Empty the memory of loaded catalogues and their specs (tests start each
    from nothing)."""
    _METHODS.clear()
    _SPECS.clear()


class Translated:
    """Read ``<name>_<language>`` for the active language, falling back to English."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        language = (get_language() or "en")[:2]
        return getattr(instance, f"{self.name}_{language}", "") or getattr(
            instance, f"{self.name}_en"
        )


class CatalogueQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Catalogue.Status.PUBLISHED)

    def latest_published(self, slug: str) -> Catalogue | None:
        """The most recently loaded published version of a catalogue."""
        return self.published().filter(slug=slug).order_by("-loaded_at", "-pk").first()


class Catalogue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(max_length=64)
    version = models.CharField(max_length=32)
    status = models.CharField(max_length=10, choices=Status.choices)
    name_en = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200)
    description_en = models.TextField()
    description_fr = models.TextField()
    # Generic meaning of levels 0-4: a list of {"en": ..., "fr": ...}.
    scale = models.JSONField()
    # The decisions register: what changed from the previous version, why,
    # on what source. A list of {"code", "criteria", "change", "reason",
    # "source"}, the texts as {"en": ..., "fr": ...}.
    decisions = models.JSONField(default=list, blank=True)
    # Certification schemes and the minimum levels a valid certificate
    # presumes: a list of {"code", "name": {en, fr}, "presumes": {code: level},
    # "source"}.
    certification_schemes = models.JSONField(default=list, blank=True)
    # How far a procurement may move each pillar weight of its profile.
    weight_adjustment_limit = models.PositiveSmallIntegerField(default=10)
    content_hash = models.CharField(
        max_length=64, help_text=_("SHA-256 of the file's canonical content.")
    )
    source = models.TextField(help_text=_("The catalogue file as it was loaded."))
    loaded_at = models.DateTimeField(auto_now_add=True)

    objects = CatalogueQuerySet.as_manager()

    name = Translated()
    description = Translated()

    class Meta:
        ordering = ["slug", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "version"], name="one_catalogue_per_slug_and_version"
            ),
        ]

    def __str__(self):
        return f"{self.slug} {self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def decisions_register(self) -> list[dict]:
        """The decisions register with its texts in the active language."""
        language = (get_language() or "en")[:2]
        return [
            {
                "code": item["code"],
                "criteria": item.get("criteria") or [],
                "change": item["change"].get(language) or item["change"]["en"],
                "reason": item["reason"].get(language) or item["reason"]["en"],
                "source": item["source"],
            }
            for item in self.decisions
        ]

    def scheme_specs(self) -> dict[str, engine.SchemeSpec]:
        """The certification schemes as the presumption rules read them."""
        return {
            item["code"]: engine.SchemeSpec(item["code"], dict(item["presumes"]))
            for item in self.certification_schemes
        }

    def scheme_name(self, code: str) -> str:
        """A scheme's name in the active language, or the code if unknown."""
        language = (get_language() or "en")[:2]
        for item in self.certification_schemes:
            if item["code"] == code:
                return item["name"].get(language) or item["name"]["en"]
        return code

    def scale_text(self, level: int) -> str:
        """The generic meaning of a level in the active language."""
        texts = self.scale[level]
        return texts.get((get_language() or "en")[:2]) or texts["en"]

    def names(self) -> dict[str, dict[str, str]]:
        """``{"pillars": {code: name}, "criteria": {code: name}}`` in the active
        language (expects the method loaded).

        Kept on the instance, one per language: a published catalogue's is
        shared (``with_method``), so a process builds them once.
        """
        language = (get_language() or "en")[:2]
        kept = self.__dict__.setdefault("_names", {})
        if language not in kept:
            kept[language] = {
                "pillars": {p.code: p.name for p in self.pillars.all()},
                "criteria": {c.code: c.name for c in self.criteria.all()},
            }
        return kept[language]

    def with_method(self) -> Catalogue:
        """Return this catalogue with every related row prefetched.

        A published catalogue comes from memory after its first load (5
        queries); the instance is shared: read it, never change it.
        """
        if not self.is_published:
            return self._load_method()
        key = (self.pk, self.content_hash, self.loaded_at)
        catalogue = _METHODS.get(key)
        if catalogue is None:
            catalogue = self._load_method()
            if catalogue.is_published:
                while len(_METHODS) >= METHODS_KEPT:
                    _METHODS.pop(next(iter(_METHODS)), None)
                _METHODS[key] = catalogue
        return catalogue

    def _load_method(self) -> Catalogue:
        return Catalogue.objects.prefetch_related(
            Prefetch("pillars", queryset=Pillar.objects.order_by("position")),
            Prefetch(
                "criteria",
                queryset=Criterion.objects.select_related("pillar")
                .prefetch_related("levels")
                .order_by("pillar__position", "position"),
            ),
            Prefetch(
                "profiles",
                queryset=Profile.objects.order_by("position").prefetch_related(
                    "pillar_weights__pillar", "knockouts__criterion", "evidence_caps"
                ),
            ),
            "evidence_types",
        ).get(pk=self.pk)

    def to_spec(self) -> engine.CatalogueSpec:
        """The plain-data form of this catalogue that the engine scores with.

        The rows of a catalogue never change under the same content hash (the
        loader replaces them in one transaction), so the spec is kept per hash.
        """
        spec = _SPECS.get(self.content_hash)
        if spec is None:
            spec = _SPECS[self.content_hash] = self._build_spec()
        return spec

    def _build_spec(self) -> engine.CatalogueSpec:
        catalogue = self.with_method()
        return engine.CatalogueSpec(
            slug=catalogue.slug,
            version=catalogue.version,
            pillars=tuple(
                engine.PillarSpec(code=p.code, core=p.core)
                for p in catalogue.pillars.all()
            ),
            criteria=tuple(
                engine.CriterionSpec(
                    code=c.code,
                    pillar=c.pillar.code,
                    weight=c.weight,
                    na_allowed=c.na_allowed,
                )
                for c in catalogue.criteria.all()
            ),
            profiles=tuple(p.to_spec() for p in catalogue.profiles.all()),
            evidence_types=tuple(e.code for e in catalogue.evidence_types.all()),
        )


class EvidenceType(models.Model):
    catalogue = models.ForeignKey(
        Catalogue, on_delete=models.CASCADE, related_name="evidence_types"
    )
    code = models.SlugField(max_length=32)
    position = models.PositiveSmallIntegerField(help_text=_("Weakest first."))
    name_en = models.CharField(max_length=100)
    name_fr = models.CharField(max_length=100)
    description_en = models.TextField()
    description_fr = models.TextField()

    name = Translated()
    description = Translated()

    class Meta:
        ordering = ["catalogue", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "code"],
                name="evidence_type_code_unique_in_catalogue",
            ),
        ]

    def __str__(self):
        return self.name_en


class Pillar(models.Model):
    catalogue = models.ForeignKey(
        Catalogue, on_delete=models.CASCADE, related_name="pillars"
    )
    code = models.CharField(max_length=8)
    position = models.PositiveSmallIntegerField()
    name_en = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200)
    description_en = models.TextField()
    description_fr = models.TextField()
    core = models.BooleanField(
        help_text=_("Core pillars set the overall trust level (weakest link).")
    )

    name = Translated()
    description = Translated()

    class Meta:
        ordering = ["catalogue", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "code"], name="pillar_code_unique_in_catalogue"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name_en}"


class Criterion(models.Model):
    catalogue = models.ForeignKey(
        Catalogue, on_delete=models.CASCADE, related_name="criteria"
    )
    pillar = models.ForeignKey(
        Pillar, on_delete=models.CASCADE, related_name="criteria"
    )
    code = models.CharField(max_length=16)
    position = models.PositiveSmallIntegerField()
    name_en = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200)
    question_en = models.TextField()
    question_fr = models.TextField()
    evidence_en = models.TextField(
        help_text=_("What evidence to ask the provider for.")
    )
    evidence_fr = models.TextField()
    weight = models.PositiveSmallIntegerField()
    na_allowed = models.BooleanField(default=False)
    traces = models.JSONField(
        default=list, help_text=_("Framework clauses it traces to.")
    )

    name = Translated()
    question = Translated()
    evidence = Translated()

    class Meta:
        ordering = ["catalogue", "pillar__position", "position"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "code"], name="criterion_code_unique_in_catalogue"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=1), name="criterion_weight_positive"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name_en}"


class LevelDescriptor(models.Model):
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="levels"
    )
    level = models.PositiveSmallIntegerField(choices=LEVEL_CHOICES)
    text_en = models.TextField()
    text_fr = models.TextField()

    text = Translated()

    class Meta:
        ordering = ["criterion", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "level"], name="one_descriptor_per_level"
            ),
            models.CheckConstraint(
                condition=models.Q(level__lte=engine.MAX_LEVEL),
                name="descriptor_level_0_to_4",
            ),
        ]

    def __str__(self):
        return f"{self.criterion.code} level {self.level}"


class Profile(models.Model):
    catalogue = models.ForeignKey(
        Catalogue, on_delete=models.CASCADE, related_name="profiles"
    )
    code = models.CharField(max_length=8)
    position = models.PositiveSmallIntegerField(help_text=_("Laxest first."))
    name_en = models.CharField(max_length=100)
    name_fr = models.CharField(max_length=100)
    description_en = models.TextField()
    description_fr = models.TextField()
    target_trust_level = models.PositiveSmallIntegerField(choices=LEVEL_CHOICES)

    name = Translated()
    description = Translated()

    class Meta:
        ordering = ["catalogue", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "code"], name="profile_code_unique_in_catalogue"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name_en}"

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"

    def to_spec(self) -> engine.ProfileSpec:
        """Plain-data rules of this profile (expects the rows prefetched)."""
        return engine.ProfileSpec(
            code=self.code,
            pillar_weights={w.pillar.code: w.weight for w in self.pillar_weights.all()},
            thresholds={k.criterion.code: k.min_level for k in self.knockouts.all()},
            evidence_caps={
                c.evidence_type: c.max_level for c in self.evidence_caps.all()
            },
        )


class PillarWeight(models.Model):
    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="pillar_weights"
    )
    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="weights")
    weight = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["profile", "pillar__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "pillar"], name="one_weight_per_profile_and_pillar"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0), name="pillar_weight_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.profile.code} {self.pillar.code} {self.weight}"


class KnockOutRule(models.Model):
    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="knockouts"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="knockouts"
    )
    min_level = models.PositiveSmallIntegerField(choices=LEVEL_CHOICES)

    class Meta:
        ordering = ["profile", "criterion__pillar__position", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "criterion"],
                name="one_knockout_per_profile_and_criterion",
            ),
            models.CheckConstraint(
                condition=models.Q(min_level__lte=engine.MAX_LEVEL),
                name="knockout_level_0_to_4",
            ),
        ]

    def __str__(self):
        return f"{self.profile.code}: {self.criterion.code} >= {self.min_level}"


class EvidenceCap(models.Model):
    """The highest level an evidence type supports on a profile's knock-outs."""

    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="evidence_caps"
    )
    evidence_type = models.SlugField(max_length=32)
    max_level = models.PositiveSmallIntegerField(choices=LEVEL_CHOICES)

    class Meta:
        ordering = ["profile", "max_level"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "evidence_type"],
                name="one_cap_per_profile_and_evidence",
            ),
            models.CheckConstraint(
                condition=models.Q(max_level__lte=engine.MAX_LEVEL),
                name="cap_level_0_to_4",
            ),
        ]

    def __str__(self):
        return f"{self.profile.code}: {self.evidence_type} <= {self.max_level}"
