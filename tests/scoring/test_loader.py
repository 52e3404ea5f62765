"""Loading catalogue files: validation with locations, idempotence, versions."""

import copy
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from scoring.loader import (
    DEFAULT_CATALOGUE,
    CatalogueError,
    load_catalogue,
    load_catalogue_text,
    spec_from_file,
)
from scoring.models import Catalogue, Criterion, KnockOutRule, LevelDescriptor

pytestmark = pytest.mark.django_db


def texts(en, fr=None):
    return {"en": en, "fr": fr or f"{en} (fr)"}


def criterion(code, weight=1, knockouts=None, **extra):
    return {
        "code": code,
        "name": texts(f"Criterion {code}"),
        "question": texts(f"Question {code}?"),
        "levels": [texts(f"{code} level {level}") for level in range(5)],
        "evidence": texts("Contract"),
        "weight": weight,
        "na_allowed": False,
        "traces": ["SNC 19.6"],
        "knockouts": knockouts or {},
        **extra,
    }


MINIMAL = {
    "slug": "mini",
    "version": "1.0",
    "status": "published",
    "name": texts("Mini"),
    "description": texts("A small catalogue for tests."),
    "scale": [texts(f"Scale {level}") for level in range(5)],
    "evidence_types": [
        {"code": code, "name": texts(code.title()), "description": texts(code)}
        for code in ("declared", "documented", "verified")
    ],
    "pillars": [
        {
            "code": "OWN",
            "name": texts("Ownership"),
            "description": texts("Who controls the provider."),
            "core": True,
            "criteria": [criterion("OWN-1", 2, {"N2": 3}), criterion("OWN-2")],
        },
        {
            "code": "TEC",
            "name": texts("Technology"),
            "description": texts("The stack."),
            "core": False,
            "criteria": [criterion("TEC-1")],
        },
    ],
    "profiles": [
        {
            "code": "N1",
            "name": texts("Standard"),
            "description": texts("Public data."),
            "target_trust_level": 1,
            "pillar_weights": {"OWN": 60, "TEC": 40},
            "evidence_caps": {},
        },
        {
            "code": "N2",
            "name": texts("Sensitive"),
            "description": texts("Personal data."),
            "target_trust_level": 2,
            "pillar_weights": {"OWN": 70, "TEC": 30},
            "evidence_caps": {"declared": 2},
        },
    ],
}


def as_yaml(data):
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def changed(**changes):
    data = copy.deepcopy(MINIMAL)
    data.update(changes)
    return data


def problems_of(data):
    with pytest.raises(CatalogueError) as error:
        load_catalogue_text(as_yaml(data))
    return [str(problem) for problem in error.value.problems]


def test_bundled_catalogue_loads_the_whole_method():
    catalogue = load_catalogue(DEFAULT_CATALOGUE).catalogue

    assert (catalogue.slug, catalogue.status) == ("cloud-of-trust", "published")
    assert list(catalogue.pillars.values_list("code", flat=True)) == [
        "OWN", "JUR", "DAT", "OPS", "TEC", "SUP", "REV", "SEC",
    ]  # fmt: skip
    assert catalogue.criteria.count() == 45
    assert LevelDescriptor.objects.filter(criterion__catalogue=catalogue).count() == 225


def test_bundled_catalogue_has_the_knockout_counts_of_the_matrix():
    catalogue = load_catalogue(DEFAULT_CATALOGUE).catalogue

    counts = {
        profile.code: KnockOutRule.objects.filter(profile=profile).count()
        for profile in catalogue.profiles.all()
    }

    assert counts == {"N1": 1, "N2": 13, "N3": 32, "N4": 35}


def test_bundled_catalogue_rows_give_the_same_spec_as_the_file():
    catalogue = load_catalogue(DEFAULT_CATALOGUE).catalogue

    assert catalogue._build_spec() == spec_from_file(DEFAULT_CATALOGUE)


def test_every_bundled_text_exists_in_english_and_french():
    catalogue = load_catalogue(DEFAULT_CATALOGUE).catalogue

    criteria = Criterion.objects.filter(catalogue=catalogue)

    assert not criteria.filter(name_fr="").exists()
    assert not criteria.filter(question_fr="").exists()
    assert not LevelDescriptor.objects.filter(
        criterion__catalogue=catalogue, text_fr=""
    ).exists()


def test_loading_the_same_published_version_again_is_a_no_op():
    first = load_catalogue_text(as_yaml(MINIMAL))

    second = load_catalogue_text(as_yaml(MINIMAL) + "\n# a comment changes nothing\n")

    assert (first.action, second.action) == ("created", "unchanged")
    assert second.catalogue.pk == first.catalogue.pk
    assert Catalogue.objects.filter(slug="mini").count() == 1


def test_a_changed_file_under_a_published_version_is_refused():
    load_catalogue_text(as_yaml(MINIMAL))
    edited = changed(name=texts("Mini, edited"))

    with pytest.raises(CatalogueError, match="is published and this file differs"):
        load_catalogue_text(as_yaml(edited))

    assert Catalogue.objects.get(slug="mini").name_en == "Mini"


def test_a_new_version_becomes_a_new_catalogue():
    old = load_catalogue_text(as_yaml(MINIMAL)).catalogue

    new = load_catalogue_text(as_yaml(changed(version="1.1"))).catalogue

    assert new.pk != old.pk
    assert list(
        Catalogue.objects.filter(slug="mini")
        .order_by("version")
        .values_list("version", flat=True)
    ) == [
        "1.0",
        "1.1",
    ]


def test_a_draft_can_be_replaced_then_published():
    load_catalogue_text(as_yaml(changed(status="draft")))
    replaced = load_catalogue_text(
        as_yaml(changed(status="draft", name=texts("Mini 2")))
    )

    published = load_catalogue_text(as_yaml(changed(name=texts("Mini 2"))))

    assert (replaced.action, published.action) == ("replaced", "published")
    assert Catalogue.objects.get(slug="mini").status == "published"


def test_a_published_catalogue_cannot_go_back_to_draft():
    load_catalogue_text(as_yaml(MINIMAL))

    with pytest.raises(CatalogueError, match="cannot go back to draft"):
        load_catalogue_text(as_yaml(changed(status="draft")))


def test_problems_are_reported_all_at_once_with_their_line():
    data = copy.deepcopy(MINIMAL)
    data["pillars"][0]["criteria"][1]["code"] = "OWN-1"
    data["pillars"][1]["criteria"][0]["levels"].pop()
    data["profiles"][0]["pillar_weights"]["TEC"] = 39

    problems = problems_of(data)

    text = as_yaml(data).splitlines()
    assert len(problems) == 3
    assert "duplicate criterion code OWN-1" in problems[0]
    line = int(problems[0].split()[1])
    assert "OWN-1" in text[line - 1]
    assert "expected 5 level descriptors (0-4), found 4" in problems[1]
    assert "pillar weights must sum to 100, they sum to 99" in problems[2]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["pillars"][0]["criteria"][0]["knockouts"].update(N2=5),
            "threshold must be 0-4",
        ),
        (
            lambda d: d["pillars"][0]["criteria"][0]["knockouts"].update(N7=2),
            "unknown profile N7",
        ),
        (
            lambda d: d["pillars"][0]["criteria"][0]["name"].pop("fr"),
            "the FR text is missing",
        ),
        (
            lambda d: d["pillars"][0]["criteria"][0]["levels"][2].update(en=" "),
            "the EN text is missing",
        ),
        (
            lambda d: d["pillars"][0]["criteria"][0].update(weight=0),
            "weight must be a whole number",
        ),
        (
            lambda d: d["profiles"][0]["pillar_weights"].pop("TEC"),
            "no weight for pillar TEC",
        ),
        (
            lambda d: d["profiles"][1]["evidence_caps"].update(rumour=1),
            "unknown evidence type",
        ),
        (
            lambda d: d["profiles"][1].update(target_trust_level=7),
            "target_trust_level must be 0-4",
        ),
        (lambda d: d.update(version=1.0), "version must be a quoted string"),
        (lambda d: d.update(scale=[]), "expected 5 levels (0-4), found 0"),
        (
            lambda d: d["pillars"][0].update(name=texts("x" * 201)),
            "longer than 200 characters",
        ),
    ],
)
def test_each_kind_of_problem_is_named(mutate, message):
    data = copy.deepcopy(MINIMAL)
    mutate(data)

    assert any(message in problem for problem in problems_of(data))


def test_knockouts_must_not_loosen_as_profiles_tighten():
    data = copy.deepcopy(MINIMAL)
    data["pillars"][0]["criteria"][0]["knockouts"] = {"N1": 3, "N2": 2}

    assert any("N2 asks less than a laxer profile" in p for p in problems_of(data))


def test_evidence_caps_must_not_loosen_as_profiles_tighten():
    data = copy.deepcopy(MINIMAL)
    data["profiles"][0]["evidence_caps"] = {"declared": 1}

    assert any(
        "N2 caps declared evidence at 2, looser than N1" in p for p in problems_of(data)
    )


def test_invalid_yaml_is_reported_with_its_line():
    with pytest.raises(CatalogueError, match=r"line 3 .*not valid YAML"):
        load_catalogue_text('slug: mini\nversion: "1.0"\n\tstatus: draft\n')


def test_a_refused_file_leaves_nothing_behind():
    data = copy.deepcopy(MINIMAL)
    data["profiles"][1]["pillar_weights"]["OWN"] = 10

    with pytest.raises(CatalogueError):
        load_catalogue_text(as_yaml(data))

    assert not Catalogue.objects.filter(slug="mini").exists()


def test_load_catalogue_command_reports_what_it_loaded(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(as_yaml(MINIMAL), encoding="utf-8")
    out = StringIO()

    call_command("load_catalogue", str(path), stdout=out)
    call_command("load_catalogue", str(path), stdout=out)

    assert out.getvalue().splitlines() == [
        "Loaded mini 1.0 (published): 2 pillars, 3 criteria, 2 profiles.",
        "mini 1.0 is already loaded with this content; nothing to do.",
    ]


def test_load_catalogue_command_lists_every_problem(tmp_path):
    data = copy.deepcopy(MINIMAL)
    data["pillars"][1]["criteria"][0]["levels"].pop()
    path = tmp_path / "broken.yaml"
    path.write_text(as_yaml(data), encoding="utf-8")

    with pytest.raises(CommandError, match="expected 5 level descriptors"):
        call_command("load_catalogue", str(path), stdout=StringIO())


def test_load_catalogue_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("load_catalogue", str(tmp_path / "nope.yaml"), stdout=StringIO())
