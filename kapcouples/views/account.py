"""Sign-in, sign-out, passwords and the staff second factor."""

from base64 import b32encode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapcouples import languages, policy, services
from kapcouples.forms import EmailLoginForm, LanguageForm, StyledPasswordChangeForm, TokenForm
from kapcouples.models import Role


def _safe_next(request: HttpRequest) -> str:
    """Where to go after the second factor: a path on this site, else the landing page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path: anything else ("home", "foo") would be taken for a URL name, or fail as one.
    is_path = target.startswith("/") and not target.startswith("//")
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if is_path and safe else reverse("home")


login_view = policy.public(
    auth_views.LoginView.as_view(
        authentication_form=EmailLoginForm, redirect_authenticated_user=True
    )
)


@policy.authenticated
@policy.before_second_factor
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Signs out here and on every other device."""
    services.user_end_all_sessions(user=request.user)
    logout(request)
    messages.success(request, "You are signed out on all your devices.")
    return redirect("login")


@policy.authenticated
@policy.before_second_factor
@require_POST
def keepalive(request: HttpRequest) -> JsonResponse:
    """Called by the page while the user is typing, so work in progress keeps the session."""
    return JsonResponse({"ok": True})


password_change_view = policy.authenticated(
    auth_views.PasswordChangeView.as_view(form_class=StyledPasswordChangeForm)
)
password_change_done_view = policy.authenticated(auth_views.PasswordChangeDoneView.as_view())
password_reset_view = policy.public(
    auth_views.PasswordResetView.as_view(
        subject_template_name="registration/password_reset_subject.txt",
        email_template_name="registration/password_reset_email.txt",
        html_email_template_name="registration/password_reset_email.html",
    )
)
password_reset_done_view = policy.public(auth_views.PasswordResetDoneView.as_view())
password_reset_confirm_view = policy.public(auth_views.PasswordResetConfirmView.as_view())
password_reset_complete_view = policy.public(auth_views.PasswordResetCompleteView.as_view())


@policy.authenticated
@policy.before_second_factor
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("two_factor_verify")
    device = services.totp_device_start(user=request.user)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        try:
            services.totp_device_confirm(device=device, token=form.cleaned_data["token"])
        except services.DomainError as error:
            form.add_error("token", str(error))
        else:
            otp_login(request, device)
            messages.success(request, "Your authenticator app is set up.")
            return redirect(_safe_next(request))
    context = {
        "form": form,
        "qr": services.totp_qr_data_uri(device),
        "secret": b32encode(device.bin_key).decode(),
    }
    return render(request, "account/two_factor_setup.html", context)


@policy.authenticated
@policy.before_second_factor
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("two_factor_setup")
    form = TokenForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", "That code did not match. Try the newest code from your app.")
    return render(request, "account/two_factor_verify.html", {"form": form})


@policy.public
@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The language switch: kept on a partner's profile, and in a cookie for signed-out pages."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return render(request, "400.html", status=400)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        if policy.role_of(request.user) != Role.PARTNER:
            policy.deny(request, reason="staff pages are in English only")
        partner = request.user.partner_profile
        languages.partner_language_set(user=request.user, partner=partner, language=language)
    response = redirect(_safe_next(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
