"""The reference cases tell the truth: every answer rests on facts published by
the assessment's date, unsupported answers are unknown with the reason, no
statement is firmer than its sources, no date more precise than sourced."""

import copy
import datetime

import pytest
import yaml
from django.urls import reverse

from procurement.models import Answer, Provider, ProviderFact
from procurement.seed import (
    REFERENCE_DIR,
    SeedError,
    import_reference_case,
    seed_reference_cases,
)
from tests.procurement.views.helpers import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference_cases(catalogue):
    return seed_reference_cases().reference_cases


def read(name):
    with (REFERENCE_DIR / f"{name}.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def answer(code, provider):
    return Answer.objects.get(
        criterion__code=code,
        assessment__offer__provider__reference_key=provider,
        assessment__procurement=None,
    )


@pytest.mark.parametrize("name", ["cloudwatt", "numergy"])
def test_every_reference_fact_has_a_publication_date(name):
    facts = read(name)["facts"]

    assert all(isinstance(f["published_on"], datetime.date) for f in facts)
    # A fact is never published before the source we cite for it was, unless
    # the event was announced on its day.
    assert all(
        f["published_on"] >= f["source_date"] or f["published_on"] >= f["as_of"]
        for f in facts
        if f["source_date"]
    )


def test_reference_answers_cite_only_facts_published_by_their_date(reference_cases):
    for assessment in reference_cases:
        for item in assessment.answers.prefetch_related("facts"):
            for fact in item.facts.all():
                assert fact.published_on <= assessment.as_of, (item, fact.key)


def test_a_reference_answer_citing_a_later_fact_is_refused(catalogue):
    data = copy.deepcopy(read("cloudwatt"))
    rev4 = next(a for a in data["assessment"]["answers"] if a["criterion"] == "REV-4")
    rev4["facts"].append("cw-revenue-2013")  # FY2013 accounts, published 2015

    with pytest.raises(SeedError, match="published after 2014-03-31"):
        import_reference_case(data, catalogue)


@pytest.mark.parametrize(
    ("provider", "code"),
    [
        ("cloudwatt", "OPS-1"),
        ("cloudwatt", "OPS-4"),
        ("cloudwatt", "SUP-2"),
        ("cloudwatt", "SUP-6"),
        ("numergy", "JUR-1"),
        ("numergy", "REV-3"),
    ],
)
def test_unsupported_answers_are_unknown_with_the_reason(
    reference_cases, provider, code
):
    item = answer(code, provider)

    assert item.level is None
    assert item.justification.startswith("Unknown: ")
    assert item.translations["fr"]["justification"].startswith("Inconnu : ")
    assert not item.facts.exists()


def test_no_statement_is_firmer_than_its_sources(reference_cases):
    texts = " ".join(
        [
            *(p.lesson for p in Provider.objects.reference_cases()),
            *(f.statement + " " + f.note for f in ProviderFact.objects.all()),
            *(a.justification for a in Answer.objects.all()),
        ]
    )

    for firm in (
        "was erased",
        "certificate existed",
        "is a conflation",
        "33.3% gave it a blocking minority.",
        "blocking minority disappeared",
        "closed from September 2024",
        "the seed is wrong",
        "Conflict X",
    ):
        assert firm not in texts
    shareholders = ProviderFact.objects.get(key="cw-shareholders-2012")
    assert shareholders.confidence == ProviderFact.Confidence.MEDIUM
    assert "articles of association" in shareholders.statement


def test_the_state_equity_note_reads_the_seed_right(reference_cases):
    note = ProviderFact.objects.get(key="cw-state-equity-2012").note

    assert "is right" in note
    assert "€285M" in note and "€150M" in note and "revenue" in note


def test_company_dates_are_no_more_precise_than_sourced(reference_cases):
    cloudwatt = Provider.objects.get(reference_key="cloudwatt")
    numergy = Provider.objects.get(reference_key="numergy")

    assert (cloudwatt.ceased_on, cloudwatt.ceased_precision) == (
        datetime.date(2016, 1, 1),
        "month",
    )
    assert (numergy.founded_precision, numergy.ceased_precision) == ("month", "year")


def test_the_case_page_opens_with_the_lesson_and_hides_research_notes(
    client, viewer, reference_cases
):
    login(client, viewer)

    response = client.get(
        reverse("procurement:reference-case-detail", args=["cloudwatt"])
    )

    content = response.content.decode()
    assert content.index("What a buyer should learn") < content.index(
        "What a buyer could know on"
    )
    assert "<summary>Research notes</summary>" in content
    assert "ceased January 2016" in content
    known = {fact.key for fact, _codes in response.context["before"]}
    later = {fact.key for fact, _codes in response.context["after"]}
    # Described as 2013 but public only in 2014-2015: what happened next.
    assert {"cw-revenue-2013", "cw-juniper-sdn-2013", "cw-revenue-2014"} <= later
    assert {"cw-storage-offers-2013", "cw-ceo-exit-2014"} <= known


def test_numergy_later_facts_are_what_happened_next(client, viewer, reference_cases):
    login(client, viewer)

    response = client.get(
        reverse("procurement:reference-case-detail", args=["numergy"])
    )

    later = {fact.key for fact, _codes in response.context["after"]}
    assert {"nm-revenue-2014", "nm-altice-atos-2014", "nm-losses-2012-2014"} <= later
    content = response.content.decode()
    assert "ceased 2016" in content


def test_the_api_serves_each_fact_with_its_publication_date(
    client, viewer, reference_cases
):
    login(client, viewer)
    provider = Provider.objects.get(reference_key="cloudwatt")

    facts = client.get(f"/api/v1/providers/{provider.pk}/").json()["facts"]

    by_key = {fact["key"]: fact for fact in facts}
    assert by_key["cw-revenue-2013"]["published_on"] == "2015-01-12"
    assert by_key["cw-revenue-2013"]["as_of"] == "2013-01-01"
