"""Conversation pages: a partner's list and new message, the care team's inbox, one
conversation with its reply box. Objects come through the policy helpers below."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from intake.models import Couple, ScreeningSettings
from kapcouples import audit, policy
from kapcouples.models import Role
from kapcouples.services import DomainError
from messaging import selectors, services
from messaging.forms import ONLY_ME, CareTeamStartForm, PartnerStartForm, ReplyForm
from messaging.models import Conversation

INBOX_PAGE_SIZE = 25


def _get_conversation_for_user(request: HttpRequest, conversation_id: int) -> Conversation:
    conversation = get_object_or_404(
        Conversation.objects.select_related("couple__clinic", "partner"), pk=conversation_id
    )
    if not policy.can_read_conversation(request.user, conversation):
        # 404 for everyone refused: even that a private conversation exists is private.
        policy.deny(request, reason="conversation of others", obj=conversation.couple, hide=True)
    return conversation


def _get_couple_for_care_team(request: HttpRequest, couple_id: int) -> Couple:
    couple = get_object_or_404(Couple.objects.select_related("clinic"), pk=couple_id)
    if not policy.can_start_conversation(request.user, couple):
        policy.deny(request, reason="not on this couple's care team", obj=couple, hide=True)
    return couple


def _onward(request: HttpRequest, conversation: Conversation) -> HttpResponse:
    """Where a partner goes after sending: the conversation, saying what happens next (and
    showing the crisis line, if the message called for it)."""
    messages.success(
        request,
        _("Your message is sent. Your care team answers during the clinic's opening hours."),
    )
    return redirect("messaging:conversation", conversation_id=conversation.pk)


def _field_error(form, error: DomainError) -> None:
    form.add_error(getattr(error, "field", None), str(error))


@policy.allow(*policy.PARTNERS)
def conversation_list(request: HttpRequest) -> HttpResponse:
    conversations = selectors.partner_conversations(request.user)
    page = Paginator(conversations, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "messaging/conversation_list.html", {"page": page})


@policy.allow(*policy.PARTNERS)
def conversation_start(request: HttpRequest) -> HttpResponse:
    partner = request.user.partner_profile
    form = PartnerStartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conversation, _message = services.conversation_start(
                couple=partner.couple,
                by=request.user,
                partner=partner if data["audience"] == ONLY_ME else None,
                subject=data["subject"],
                body=data["body"],
            )
        except DomainError as error:
            _field_error(form, error)
        else:
            return _onward(request, conversation)
    crisis = ScreeningSettings.for_clinic(partner.couple.clinic_id)
    return render(request, "messaging/conversation_start.html", {"form": form, "crisis": crisis})


@policy.allow(*policy.CARE_TEAM)
def care_team_start(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = _get_couple_for_care_team(request, couple_id)
    partners = list(couple.partners.exclude(user=None))
    form = CareTeamStartForm(request.POST if request.method == "POST" else None, partners=partners)
    if request.method == "POST" and form.is_valid():
        try:
            conversation, _message = services.conversation_start(
                couple=couple,
                by=request.user,
                partner=form.addressee(),
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )
        except DomainError as error:
            _field_error(form, error)
        else:
            messages.success(request, _("Your message is sent."))
            return redirect("messaging:conversation", conversation_id=conversation.pk)
    context = {"couple": couple, "partners": partners, "form": form}
    return render(request, "messaging/care_team_start.html", context)


@policy.allow(*policy.CARE_TEAM)
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    conversations = selectors.inbox(request.user, unread_only=unread_only)
    page = Paginator(conversations, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "messaging/inbox.html", {"page": page, "unread_only": unread_only})


@policy.allow(*policy.PARTNER_AND_CARE)
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _get_conversation_for_user(request, conversation_id)
    audit.record_read(request, conversation, clinic_id=conversation.couple.clinic_id)
    form = ReplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_post(
                conversation=conversation, by=request.user, body=form.cleaned_data["body"]
            )
        except DomainError as error:
            _field_error(form, error)
        else:
            if policy.role_of(request.user) == Role.PARTNER:
                return _onward(request, conversation)
            messages.success(request, _("Your reply is sent."))
            return redirect("messaging:conversation", conversation_id=conversation.pk)
    context = _page_context(request, conversation, form)
    return render(request, "messaging/conversation.html", context)


def _page_context(request: HttpRequest, conversation: Conversation, form) -> dict:
    before = request.GET.get("before", "")
    page = selectors.messages_page(conversation, before=int(before) if before.isdigit() else None)
    services.conversation_mark_read(conversation=conversation, by=request.user)
    crisis = ScreeningSettings.for_clinic(conversation.couple.clinic_id)
    return {
        "conversation": conversation,
        "page": page,
        "form": form,
        "crisis": crisis,
        "needs_crisis_help": selectors.needs_crisis_help(request.user, page.messages),
        "is_partner": policy.role_of(request.user) == Role.PARTNER,
        "addressees": selectors.addressees(conversation),
    }
