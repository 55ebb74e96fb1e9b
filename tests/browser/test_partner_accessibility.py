"""The partner's pages in English and Spanish at 375 and 320 px: axe finds no serious or
critical WCAG 2 A/AA violation, nothing scrolls sideways, and the language switch works."""

import pytest

from intake import services
from intake.models import Partner
from kapcouples.models import User
from tests.browser.a11y import check_on_phones
from tests.browser.conftest import signed_in_page
from tests.factories import CoupleFactory, PartnerFactory

pytestmark = pytest.mark.browser


def invitation_token() -> str:
    """The token of a new invitation to a partner who has not chosen a password yet."""
    clinic_couple = Partner.objects.get(email="jordan@demo.kap").couple
    couple = CoupleFactory(
        clinic=clinic_couple.clinic, primary_clinician=clinic_couple.primary_clinician
    )
    partner = PartnerFactory(couple=couple, slot=1, first_name="Dana")
    partner.user.set_unusable_password()
    partner.user.save()
    desk = User.objects.get(email="frontdesk@demo.kap")
    return services.invitation_send(partner=partner, sent_by=desk)[1]


def screenshot_of(screenshots_dir, name: str):
    return lambda size: screenshots_dir / f"a11y-{name}-{size}.png"


@pytest.mark.parametrize("locale,language", [("en-US", "en"), ("es-ES", "es")])
def test_signed_out_pages_are_accessible(locale, language, demo_site, browser, screenshots_dir):
    context = browser.new_context(locale=locale, viewport={"width": 375, "height": 812})
    page = context.new_page()
    pages = {
        "login": "/account/login/",
        "password-reset": "/account/password/reset/",
        "invitation-refused": "/invitations/accept/not-a-token/",
        "invitation": f"/invitations/accept/{invitation_token()}/",
    }
    for name, path in pages.items():
        page.goto(f"{demo_site}{path}")
        assert page.locator("html").get_attribute("lang") == language
        check_on_phones(page, name, screenshot_of(screenshots_dir, f"{name}-{language}"))
    context.close()


def partner_pages(site: str) -> dict[str, str]:
    jordan = Partner.objects.get(email="jordan@demo.kap").pk
    return {
        "intake": f"{site}/partners/{jordan}/intake/",
        "step-about": f"{site}/partners/{jordan}/intake/step/about/",
        "step-medical": f"{site}/partners/{jordan}/intake/step/medical/",
        "consent": f"{site}/partners/{jordan}/consent/",
        "contact": f"{site}/partners/{jordan}/contact/",
        "password": f"{site}/account/password/change/",
        "not-found": f"{site}/no-such-page/",
    }


def walk(page, pages: dict[str, str], language: str, screenshots_dir) -> None:
    for name, url in pages.items():
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        check_on_phones(page, name, screenshot_of(screenshots_dir, f"{name}-{language}"))


def test_a_partners_pages_are_accessible_in_english_and_after_switching_to_spanish(
    demo_site, browser, screenshots_dir
):
    context, page = signed_in_page(browser, demo_site, "jordan@demo.kap", "phone")
    pages = partner_pages(demo_site)
    walk(page, pages, "en", screenshots_dir)
    page.goto(pages["step-medical"])
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_url(pages["step-medical"])
    page.get_by_role("button", name="Guardar y continuar").click()
    page.get_by_text("Responda sí o no.").first.wait_for()
    check_on_phones(page, "medical errors", screenshot_of(screenshots_dir, "step-errors-es"))
    walk(page, pages, "es", screenshots_dir)
    assert Partner.objects.get(email="jordan@demo.kap").language == "es"
    page.goto(pages["step-about"].replace("/about/", "/goals/"))
    page.get_by_label("¿Qué espera obtener").fill("Escrito y guardado solo")
    page.get_by_text("Borrador guardado a las").wait_for(timeout=10_000)
    context.close()


def test_a_check_in_is_accessible_in_spanish(demo_site, browser, screenshots_dir):
    Partner.objects.filter(email="morgan.chen@demo.kap").update(language="es")
    context, page = signed_in_page(browser, demo_site, "morgan.chen@demo.kap", "phone")
    page.goto(f"{demo_site}/portal/history/")  # what they answered, to change
    page.locator("a[href*='/check-ins/']").first.click()
    page.wait_for_url("**/check-ins/**")
    assert page.locator("html").get_attribute("lang") == "es"
    check_on_phones(page, "check-in", screenshot_of(screenshots_dir, "checkin-es"))
    page.get_by_label("¿Qué tan conectado").fill("11")
    page.get_by_role("button", name="Guardar mi seguimiento").click()
    page.get_by_text("Elija un número del 0 al 10.").first.wait_for()
    check_on_phones(page, "check-in errors", screenshot_of(screenshots_dir, "checkin-errors-es"))
    context.close()
