"""Browse the method in the admin.

Everything here is read-only: the method changes through a new catalogue file
and ``load_catalogue``, never by editing rows, so that an assessment always
says which exact rules scored it.
"""

from django.contrib import admin

from .models import (
    Catalogue,
    Criterion,
    EvidenceCap,
    EvidenceType,
    KnockOutRule,
    LevelDescriptor,
    Pillar,
    PillarWeight,
    Profile,
)


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    show_change_link = True


class EvidenceTypeInline(ReadOnlyInline):
    model = EvidenceType
    fields = ["position", "code", "name_en", "name_fr"]


class PillarInline(ReadOnlyInline):
    model = Pillar
    fields = ["position", "code", "name_en", "name_fr", "core"]


class ProfileInline(ReadOnlyInline):
    model = Profile
    fields = ["position", "code", "name_en", "name_fr", "target_trust_level"]


@admin.register(Catalogue)
class CatalogueAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["slug", "version", "status", "name_en", "loaded_at"]
    list_filter = ["status", "slug"]
    readonly_fields = ["content_hash", "loaded_at"]
    exclude = ["source"]
    inlines = [EvidenceTypeInline, PillarInline, ProfileInline]


class CriterionInline(ReadOnlyInline):
    model = Criterion
    fields = ["position", "code", "name_en", "weight", "na_allowed"]


@admin.register(Pillar)
class PillarAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "name_en", "core", "catalogue"]
    list_filter = ["catalogue"]
    list_select_related = ["catalogue"]
    inlines = [CriterionInline]


class LevelDescriptorInline(ReadOnlyInline):
    model = LevelDescriptor
    fields = ["level", "text_en", "text_fr"]
    show_change_link = False


class KnockOutInline(ReadOnlyInline):
    model = KnockOutRule
    fields = ["profile", "criterion", "min_level"]
    show_change_link = False


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "name_en", "pillar", "weight", "na_allowed", "catalogue"]
    list_filter = ["catalogue", "pillar__code", "weight", "na_allowed"]
    list_select_related = ["catalogue", "pillar"]
    search_fields = ["code", "name_en", "name_fr", "question_en", "question_fr"]
    inlines = [LevelDescriptorInline, KnockOutInline]


class PillarWeightInline(ReadOnlyInline):
    model = PillarWeight
    fields = ["pillar", "weight"]
    show_change_link = False


class EvidenceCapInline(ReadOnlyInline):
    model = EvidenceCap
    fields = ["evidence_type", "max_level"]
    show_change_link = False


@admin.register(Profile)
class ProfileAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "name_en", "target_trust_level", "catalogue"]
    list_filter = ["catalogue"]
    list_select_related = ["catalogue"]
    inlines = [PillarWeightInline, KnockOutInline, EvidenceCapInline]
