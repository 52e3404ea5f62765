"""Version 1.1 of the method: new data beside 1.0, every change in the register."""

import copy

import pytest
import yaml

from scoring import engine
from scoring.loader import (
    BUNDLED_CATALOGUES,
    DEFAULT_CATALOGUE,
    LATEST_CATALOGUE,
    CatalogueError,
    load_catalogue,
    load_catalogue_text,
    parse_catalogue,
    spec_from_file,
)
from scoring.models import Catalogue


def read(path):
    return parse_catalogue(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def old():
    return read(DEFAULT_CATALOGUE)


@pytest.fixture(scope="module")
def new():
    return read(LATEST_CATALOGUE)


def criteria(data):
    return {c["code"]: c for p in data["pillars"] for c in p["criteria"]}


def test_both_versions_are_bundled_oldest_first(old, new):
    assert [read(path)["version"] for path in BUNDLED_CATALOGUES] == ["1.0", "1.1"]
    assert "decisions" not in old


def test_every_changed_criterion_is_in_the_decisions_register(old, new):
    before, after = criteria(old), criteria(new)
    changed = {
        code for code in after if code not in before or after[code] != before[code]
    }
    named = {code for d in new["decisions"] for code in d["criteria"]}

    assert changed, "1.1 changes criteria"
    assert changed <= named, f"changes without a decision: {changed - named}"
    assert all(d["source"].strip() for d in new["decisions"])


def test_traces_name_the_clauses_that_hold(new):
    traces = {code: item["traces"] for code, item in criteria(new).items()}

    assert "SNC 12.5" in traces["DAT-7"] and "SNC 19.1.j" not in traces["DAT-7"]
    assert "SNC 19.6.d" in traces["JUR-5"] and "SNC 19.6.e" not in traces["JUR-5"]
    assert "SNC 19.1.c" in traces["JUR-2"]
    assert "SNC 7.1" in traces["OPS-3"]
    assert "DORA art. 29" in traces["SUP-6"]
    assert "DORA art. 30(3)(e)" in traces["SUP-7"]
    assert not any(t.startswith("CSF SOV-1") for t in traces["REV-4"])
    assert any("proposal, not in force" in t for t in traces["SUP-4"])
    assert "CSF SOV-7" not in [t for codes in traces.values() for t in codes]


def test_the_new_criteria_and_ladders(new):
    items = criteria(new)

    rev6 = items["REV-6"]
    assert rev6["knockouts"] == {"N2": 2, "N3": 2, "N4": 3}
    assert "retrieval window" in rev6["levels"][2]["en"]
    assert "2271/96" in items["JUR-3"]["question"]["en"]
    assert "loi de blocage" in " ".join(items["JUR-3"]["traces"])
    assert "HSM" in items["DAT-1"]["question"]["en"]
    assert "patches in the EU" not in items["OPS-5"]["levels"][3]["en"]
    assert "No transparency report is needed" in items["JUR-3"]["levels"][4]["en"]


def test_viability_and_exit_can_exclude_an_offer(new):
    spec = spec_from_file(LATEST_CATALOGUE)
    rev = next(p for p in new["pillars"] if p["code"] == "REV")
    answers = [
        engine.AnswerInput(code, level=4, evidence="verified")
        for code in spec.criteria_by_code
    ]
    french_but_fragile = [
        a if a.criterion not in ("REV-4", "REV-6") else engine.AnswerInput(a.criterion)
        for a in answers
    ]

    scorecard = engine.score(spec, "N2", french_but_fragile)

    assert rev["core"] is True
    assert not scorecard.eligible
    assert {k.criterion for k in scorecard.knockouts} == {"REV-4", "REV-6"}
    assert scorecard.trust_level == 0
    assert scorecard.unknown == 2 and scorecard.unknown_by_pillar["REV"] == 2


def test_profile_targets_are_stated_as_aims(new):
    for profile in new["profiles"]:
        assert "do not guarantee it" in profile["description"]["en"]
        assert "sans le garantir" in profile["description"]["fr"]


@pytest.mark.django_db
def test_loading_1_1_leaves_1_0_as_it_was(catalogue):
    before = catalogue.content_hash

    newer = load_catalogue(LATEST_CATALOGUE).catalogue

    catalogue.refresh_from_db()
    assert catalogue.content_hash == before and catalogue.decisions == []
    assert newer.version == "1.1" and newer.criteria.count() == 46
    assert Catalogue.objects.latest_published("cloud-of-trust") == newer
    assert newer.decisions_register()[0]["source"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["decisions"][0].update(source=""), "say where the decision"),
        (lambda d: d["decisions"][0].update(criteria=["NOPE-1"]), "unknown criterion"),
        (lambda d: d["decisions"][1].update(code="D1"), "its own code"),
        (lambda d: d["decisions"][0]["reason"].pop("fr"), "FR text is missing"),
    ],
)
def test_a_faulty_decision_is_refused(new, mutate, message):
    data = copy.deepcopy(new)
    data["version"] = "9.9-test"
    mutate(data)

    with pytest.raises(CatalogueError, match=message):
        load_catalogue_text(yaml.safe_dump(data, allow_unicode=True))
