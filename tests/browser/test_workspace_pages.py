"""The clinician's workspace as a user sees it, at phone and desktop sizes: the caseload,
the alerts inbox, the Brooks couple's chart and the first page of their treatment summary
(rendered from the PDF to PNG). Screenshots go to artifacts/screenshots/."""

import io

import pypdfium2
import pytest
from django.urls import reverse

from intake.models import Partner
from sessions.models import MedicineSession
from tests.browser.conftest import SCREENS, assert_no_sideways_scroll, signed_in_page


@pytest.mark.parametrize("screen", SCREENS)
def test_a_clinicians_day_from_caseload_to_chart(screen, demo_site, browser, screenshots_dir):
    couple = Partner.objects.get(email="jamie.brooks@demo.kap").couple
    context, page = signed_in_page(browser, demo_site, "clinician@demo.kap", screen)

    page.goto(f"{demo_site}/care/")
    assert "Brooks" in page.content()
    assert_no_sideways_scroll(page, "caseload")
    page.screenshot(path=screenshots_dir / f"workspace-caseload-{screen}.png", full_page=True)

    page.goto(f"{demo_site}{reverse('integration:alerts_inbox')}")
    assert page.get_by_test_id("alert").count() >= 1
    assert_no_sideways_scroll(page, "alerts inbox")
    page.screenshot(path=screenshots_dir / f"workspace-alerts-{screen}.png", full_page=True)

    page.goto(f"{demo_site}{reverse('workspace:chart', kwargs={'couple_id': couple.pk})}")
    assert "Medicine sessions held: 3 of 4" in page.get_by_test_id("progress").inner_text()
    assert page.get_by_test_id("partner-section").count() == 2
    assert_no_sideways_scroll(page, "chart")
    page.screenshot(path=screenshots_dir / f"workspace-chart-{screen}.png", full_page=True)
    context.close()


def test_the_treatment_summary_pdf_first_page(demo_site, browser, screenshots_dir):
    couple = Partner.objects.get(email="jamie.brooks@demo.kap").couple
    context, page = signed_in_page(browser, demo_site, "prescriber@demo.kap", "desktop")
    page.goto(f"{demo_site}{reverse('workspace:summary', kwargs={'couple_id': couple.pk})}")
    page.screenshot(path=screenshots_dir / "workspace-summary-desktop.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_test_id("summary-pdf").click()
    document = pypdfium2.PdfDocument(io.BytesIO(download.value.path().read_bytes()))
    first = document[0]
    assert "Treatment summary" in first.get_textpage().get_text_range()
    first.render(scale=1.5).to_pil().save(screenshots_dir / "workspace-summary-pdf-page-1.png")
    document[1].render(scale=1).to_pil().save(screenshots_dir / "workspace-summary-pdf-page-2.png")
    context.close()


def test_the_monitoring_record_of_a_held_session(demo_site, browser, screenshots_dir):
    session = MedicineSession.objects.filter(
        couple__partners__email="jamie.brooks@demo.kap", status="completed"
    ).first()
    context, page = signed_in_page(browser, demo_site, "prescriber@demo.kap", "phone")
    page.goto(f"{demo_site}/medicine-sessions/{session.pk}/")
    page.get_by_role("link", name="Monitoring record").click()
    assert "Ketamine monitoring record" in page.get_by_role("heading", level=1).inner_text()
    assert_no_sideways_scroll(page, "monitoring record")
    page.screenshot(path=screenshots_dir / "workspace-monitoring-phone.png", full_page=True)
    context.close()
