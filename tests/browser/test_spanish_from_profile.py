"""A partner switches to Spanish on their profile, on a phone: the pages that follow are in
Spanish, accessible and without sideways scrolling at 375 and 320 px."""

import pytest

from intake.models import Partner
from tests.browser.a11y import check_on_phones
from tests.browser.conftest import signed_in_page

pytestmark = pytest.mark.browser


def test_a_partner_chooses_spanish_on_their_profile_and_reads_their_pages_in_it(
    demo_site, browser, screenshots_dir
):
    alex = Partner.objects.get(email="alex@demo.kap")
    context, page = signed_in_page(browser, demo_site, "alex@demo.kap", "phone")
    page.goto(f"{demo_site}/portal/profile/")
    page.get_by_label("Language of my pages, emails and texts").select_option("es")
    page.get_by_role("button", name="Save my details").click()
    page.wait_for_url("**/portal/next/?done=profile")
    page.get_by_text("Sus datos están guardados.").wait_for()
    alex.refresh_from_db()
    assert alex.language == "es"
    pages = {
        "next": page.url,
        "profile": f"{demo_site}/portal/profile/",
        "portal": f"{demo_site}/portal/",
        "questionnaire": f"{demo_site}/partners/{alex.pk}/questionnaires/phq-9/",
        "preparation": f"{demo_site}/couples/{alex.couple_id}/preparation/",
        "conversations": f"{demo_site}/conversations/",
        "new-message": f"{demo_site}/conversations/new/",
    }
    for name, url in pages.items():
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "es", name
        shots = lambda size, name=name: screenshots_dir / f"es-{name}-{size}.png"  # noqa: E731
        check_on_phones(page, f"{name} in Spanish", shots)
    page.goto(pages["questionnaire"])
    page.get_by_text("Este cuestionario se muestra en su versión validada en inglés.").wait_for()
    context.close()
