"""PDF reports read back with pypdf: the engine's numbers, reasons, language."""

import datetime
import gc
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils.html import escape
from pypdf import PdfReader

from procurement import services
from procurement.exports import (
    ExportUnavailable,
    export_assessment,
    export_procurement,
    pdf,
)
from procurement.models import HistoryEntry
from procurement.scorecards import procurement_report
from procurement.services import AnswerData, ClaimData, rank_procurement
from procurement.services.award import (
    AwardCriterionData,
    set_award_criteria,
    set_award_marks,
)
from tests.procurement.exports.helpers import NOW, assess, reference_case, tender

pytestmark = pytest.mark.django_db


def pdf_text(exported):
    reader = PdfReader(io.BytesIO(exported.content))
    return reader, [page.extract_text() for page in reader.pages]


def test_procurement_report_is_an_a4_pdf_named_after_the_procurement(procurement):
    exported = export_procurement(procurement, "pdf", now=NOW)

    reader, pages = pdf_text(exported)
    box = reader.pages[0].mediabox
    assert (exported.content_type, exported.filename) == (
        "application/pdf",
        "procurement-t-202607-2026-11-22.pdf",
    )
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert (
        reader.metadata.title == f"Analysis of the offers - {procurement.organisation}"
    )


def test_procurement_report_names_the_buyer_the_date_and_numbers_its_pages(
    procurement,
):
    _reader, pages = pdf_text(export_procurement(procurement, "pdf", now=NOW))

    cover = pages[0]
    assert procurement.organisation.name in cover
    assert "Hosting of the payroll system" in cover
    assert "T-2026/07" in cover
    assert "22 November 2026, 10:30" in cover  # local time, Europe/Paris
    assert "English" in cover
    assert [
        bool(re.search(rf"Page {n} / {len(pages)}", text))
        for n, text in enumerate(pages, start=1)
    ] == [True] * len(pages)


def test_procurement_report_shows_the_method_of_the_profile(procurement, catalogue):
    profile = catalogue.profiles.get(code="N3")

    _reader, pages = pdf_text(export_procurement(procurement, "pdf"))

    text = "\n".join(pages)
    assert "cloud-of-trust" in text and "version 1.0" in text
    assert "Pillar weights of profile N3" in text
    assert "Knock-out thresholds of profile N3" in text
    for rule in profile.knockouts.select_related("criterion"):
        assert f"{rule.criterion.code} {rule.criterion.name}" in text


def test_procurement_report_ranks_with_the_engines_scores_and_excludes_with_reasons(
    procurement,
):
    ranking = rank_procurement(procurement)

    _reader, pages = pdf_text(export_procurement(procurement, "pdf"))

    text = "\n".join(pages)
    for row in ranking.rows:
        scorecard = row.assessment.scorecard()
        assert f"{row.assessment.offer.name} {row.assessment.offer.provider.name}" in (
            text.replace("\n", " ")
        )
        assert str(scorecard.global_score) in text
    weak = next(r for r in ranking.rows if r.excluded).assessment
    assert "Excluded offers and reasons" in text
    assert (
        "OWN-1 Establishment of the provider and its control chain: level 1, N3 "
        in (text.replace("\n", " "))
    )
    assert weak.scorecard().eligible is False


def test_procurement_report_states_ties(organisation, lead, catalogue):
    procurement = tender(organisation, lead, bidders=[("One", 3), ("Two", 3)])

    _reader, pages = pdf_text(export_procurement(procurement, "pdf"))

    text = " ".join("\n".join(pages).split())
    assert (
        "Rank 1 is shared by One Cloud - One IaaS (75.0), Two Cloud - Two IaaS (75.0)"
        in text
    )


def test_a_procurement_without_offers_says_so(organisation, lead, catalogue):
    empty = tender(organisation, lead, bidders=[])

    _reader, pages = pdf_text(export_procurement(empty, "pdf"))

    assert "No offer has been assessed in this procurement yet." in "\n".join(pages)


def test_every_offer_section_has_every_answer_with_its_evidence(procurement):
    _reader, pages = pdf_text(export_procurement(procurement, "pdf"))

    text = " ".join("\n".join(pages).split())
    for code in ("OWN-1", "DAT-4", "SEC-5"):
        for name in ("Strong", "Weak"):
            assert f"{name} meets {code}." in text
            assert f"{name} response, {code}" in text
    assert text.count("Evidence: Verified") == 2 * 45


def test_a_fact_cited_by_several_answers_is_listed_once_and_cited_by_number(
    organisation, lead, catalogue
):
    procurement = tender(organisation, lead, bidders=[])
    provider = services.create_provider(
        user=lead, organisation=organisation, name="Cited Cloud"
    )
    sold = services.add_fact(
        provider,
        user=lead,
        statement="Cited Cloud sold its data centres.",
        as_of=datetime.date(2025, 3, 1),
        source_title="Press release",
        source_url="https://example.org/sold",
    )
    opened = services.add_fact(
        provider,
        user=lead,
        statement="Cited Cloud opened a region in Lyon.",
        as_of=datetime.date(2024, 1, 1),
        source_title="Annual report",
    )
    offer = services.create_offer(provider, user=lead, name="Cited IaaS")
    assessment = services.start_assessment(
        user=lead, procurement=procurement, offer=offer
    )
    assessment = services.record_answers(
        assessment,
        user=lead,
        version=assessment.version,
        answers=[
            AnswerData("OWN-1", 3, "verified", facts=[sold.pk]),
            AnswerData("OWN-2", 3, "verified", facts=[opened.pk, sold.pk]),
        ],
    )

    _reader, pages = pdf_text(export_assessment(assessment, "pdf"))

    text = " ".join("\n".join(pages).split()).split("Annex: the record")[0]
    assert text.count("Cited Cloud sold its data centres.") == 1
    assert (
        "[F1] 2025-03-01: Cited Cloud sold its data centres. "
        "(Press release, https://example.org/sold)" in text
    )
    assert "[F2] 2024-01-01: Cited Cloud opened a region in Lyon." in text
    assert "Facts [F1] · Answered" in text
    assert "Facts [F1, F2] · Answered" in text


def test_assessment_report_in_french_uses_the_french_texts(catalogue):
    reference = reference_case(catalogue)
    first = catalogue.criteria.order_by("pillar__position", "position").first()
    scorecard = reference.scorecard()

    exported = export_assessment(reference, "pdf", language="fr", now=NOW)

    _reader, pages = pdf_text(exported)
    text = " ".join("\n".join(pages).split())
    assert exported.filename == "notation-testwatt-testwatt-public-cloud-2026-11-22.pdf"
    assert "Cloud public Testwatt" in text
    assert first.name_fr in text
    assert f"Documenté en 2014 ({first.code})." in text
    assert "Testwatt a fermé." in text
    assert "22 novembre 2026" in text
    assert str(scorecard.global_score).replace(".", ",") in text  # French decimals


def test_assessment_report_shows_knockouts_binding_criteria_and_gaps(
    organisation, lead, catalogue
):
    procurement = tender(organisation, lead, bidders=[])
    declared = assess(procurement, lead, "Declared", 4, evidence="declared")
    scorecard = declared.scorecard()

    _reader, pages = pdf_text(export_assessment(declared, "pdf"))

    text = " ".join("\n".join(pages).split())
    assert scorecard.evidence_gaps and scorecard.binding_criteria
    assert "Evidence gaps" in text and "claimed 4, evidenced 2" in text
    assert "Binding criteria" in text
    assert "Level 4 → effective 2" in text


def test_the_same_scorecard_at_the_same_time_gives_the_same_pdf(
    organisation, lead, catalogue
):
    procurement = tender(organisation, lead, bidders=[])
    assessment = assess(procurement, lead, "Short", 3, only={"OWN-1", "JUR-1"})
    first = export_assessment(assessment, "pdf", now=NOW)

    second = export_assessment(assessment, "pdf", now=NOW)

    assert first.content == second.content


def test_pdf_export_is_unavailable_with_a_clear_message_without_pango(
    procurement, monkeypatch
):
    def missing_pango(name):
        raise OSError("cannot load library 'libpango-1.0-0': No such file")

    monkeypatch.setattr(pdf, "import_module", missing_pango)

    with pytest.raises(ExportUnavailable, match="Pango.*XLSX, CSV or JSON"):
        export_procurement(procurement, "pdf")


def test_other_formats_work_when_pdf_is_unavailable(procurement, monkeypatch):
    def missing_pango(name):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "import_module", missing_pango)

    assert export_procurement(procurement, "xlsx").content


def test_pdf_export_queries_do_not_grow_with_the_offers(
    organisation, lead, catalogue, django_assert_max_num_queries
):
    small = tender(organisation, lead, bidders=[("Alone", 3)])
    export_procurement(small, "json")  # warm the catalogue's spec cache
    # The other formats' queries (see test_interface.py), then the decision:
    # the stored ranking, the award criteria, the reference cases' warning
    # signs and their facts, and from two eligible offers the answers of the
    # first two (robustness); the panel's seats.
    with django_assert_max_num_queries(24):
        export_procurement(small, "pdf")

    assess(small, lead, "Second", 2)
    assess(small, lead, "Third", 4)
    with django_assert_max_num_queries(24):
        export_procurement(small, "pdf")


def test_assessment_pdf_queries_do_not_grow_with_the_answers(
    organisation, lead, catalogue, django_assert_max_num_queries
):
    procurement = tender(organisation, lead, bidders=[])
    few = assess(procurement, lead, "Few", 3, only={"OWN-1"})
    many = assess(procurement, lead, "Many", 3)
    export_assessment(few, "json")  # warm the catalogue's spec cache

    # The other formats' 15 queries, plus the reference cases for the radar,
    # and their warning signs with the facts they cite; the panel's seats.
    with django_assert_max_num_queries(20):
        export_assessment(few, "pdf")
    with django_assert_max_num_queries(20):
        export_assessment(many, "pdf")


def test_rendering_restores_the_collectors_thresholds(procurement):
    before = gc.get_threshold()

    export_procurement(procurement, "pdf")

    assert gc.get_threshold() == before


def test_concurrent_renders_restore_the_thresholds_once_both_end():
    before = gc.get_threshold()

    with pdf._fewer_full_collections():
        with pdf._fewer_full_collections():
            raised = gc.get_threshold()
        still_raised = gc.get_threshold()

    assert raised[2] >= pdf.FULL_COLLECTION_THRESHOLD
    assert still_raised == raised
    assert gc.get_threshold() == before


def test_a_ranking_with_drafts_is_called_provisional(procurement):
    _reader, pages = pdf_text(export_procurement(procurement, "pdf", now=NOW))

    assert "Provisional ranking" in " ".join(" ".join(pages).split())


def test_a_self_approved_offer_says_so_and_the_annex_lists_the_record(
    procurement, strong, lead
):
    services.set_four_eyes(
        procurement.organisation, user=lead, enabled=False, reason="Alone here."
    )
    services.submit_assessment(strong, user=lead)
    services.approve_assessment(strong, user=lead)
    last = HistoryEntry.objects.order_by("-sequence").first()

    _reader, pages = pdf_text(export_procurement(procurement, "pdf", now=NOW))

    text = " ".join(" ".join(pages).split())
    body, annex = text.split("Annex: the record")
    assert "Approved by the person who submitted it" in body
    assert "Submitted by" in body
    assert last.hash[:40] in annex.replace(" ", "")


def test_the_report_shows_the_bidders_claims_where_they_differ_and_the_files(
    strong, lead
):
    invitation, _token = services.invite_bidder(strong, user=lead)
    services.save_claims(
        invitation,
        [
            ClaimData("OWN-1", 4, justification="Owned in France."),
            ClaimData("OWN-2", 2),
        ],
    )
    stored = services.add_evidence(
        strong,
        "OWN-1",
        SimpleUploadedFile("register.pdf", b"%PDF-1.7\n%%EOF\n"),
        user=lead,
    )

    _reader, pages = pdf_text(export_assessment(strong, "pdf"))

    text = " ".join(" ".join(pages).split())
    assert "Claimed by the bidder: Level 4: Owned in France." in text
    assert "another level than the bidder claimed on: OWN-2." in text
    assert f"register.pdf (SHA-256 {stored.sha256[:20]}" in text


def test_the_report_says_whether_the_winner_would_change(organisation, lead):
    procurement = tender(organisation, lead, bidders=(("Strong", 4), ("Good", 3)))

    _reader, pages = pdf_text(export_procurement(procurement, "pdf", now=NOW))

    text = " ".join(" ".join(pages).split())
    assert "Would the winner change?" in text
    assert "Strong Cloud leads Good Cloud by" in text
    assert "Strong Cloud 100 %; Good Cloud 0 %." in text


def test_one_eligible_offer_has_no_robustness_section(procurement):
    _reader, pages = pdf_text(export_procurement(procurement, "pdf", now=NOW))

    assert "Would the winner change?" not in " ".join(pages)


def test_the_report_carries_the_award_with_price(organisation, lead):
    procurement = tender(organisation, lead, bidders=(("Strong", 4), ("Good", 3)))
    procurement.status = "draft"
    procurement.save(update_fields=["status"])
    created = set_award_criteria(
        procurement,
        user=lead,
        criteria=[
            AwardCriterionData("sovereignty", 70),
            AwardCriterionData("price", 30, formula="proportional"),
        ],
    )
    price = next(c for c in created if c.kind == "price")
    for assessment, value in zip(
        procurement.assessments.order_by("pk"), ("1000", "500"), strict=True
    ):
        set_award_marks(assessment, user=lead, values={price.pk: value})

    _reader, pages = pdf_text(export_procurement(procurement, "pdf", now=NOW))

    text = " ".join(" ".join(pages).split())
    assert "Criteria and weights published with the tender: Sovereignty" in text
    assert "500.00 €" in text


def test_a_french_report_has_a_french_footer(procurement):
    _reader, pages = pdf_text(
        export_procurement(procurement, "pdf", language="fr", now=NOW)
    )

    text = " ".join("\n".join(pages).split())
    assert "Notation Cloud de confiance · généré" in text
    assert "Cloud of Trust Scorecard" not in text


def test_the_radars_of_the_reports_carry_their_legend(procurement):
    report = procurement_report(procurement)

    radar = report.radar()  # as the PDF draws it
    on_the_page = report.radar(with_legend=False)  # the page has an HTML legend

    offers = [str(row.assessment.offer) for row in report.ranking.rows]
    assert radar.count('class="radar-legend"') >= len(offers)
    for offer in offers:
        assert f">{escape(offer)}</text>" in radar
    assert "radar-legend" not in on_the_page


def test_the_annex_writes_an_entrys_changes_on_one_line():
    # A line per change doubled the annex: 144 of a 20-offer report's pages.
    entry = {
        "sequence": 7,
        "at": "2026-12-03T02:29:49+01:00",
        "user": "Ada",
        "action_label": "Answers saved",
        "criterion": "OWN-1",
        "changes": [
            {"field": "level", "before": 2, "after": 3},
            {"field": "evidence", "before": None, "after": "verified"},
        ],
        "reason": "",
        "hash": "ab" * 32,
    }

    html = render_to_string("exports/_history.html", {"history": [entry]})

    assert "<br>level: 2 → 3; evidence: – → verified<br>" in html
