"""The SMS provider's webhooks: a text's delivery status, and texts partners send back.

Public (the provider cannot sign in) and exempt from CSRF (it cannot hold a token):
each request must carry a valid `X-Twilio-Signature`, over the public address the
provider was given and the form fields, or it is refused with a logged 403.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from integration import sms_reports
from kapcouples import policy


def _refuse_unless_signed(request: HttpRequest) -> None:
    token = settings.KAP_TWILIO_AUTH_TOKEN
    # Signed over the address the provider called, which a proxy may have rewritten here.
    address = settings.KAP_TWILIO_CALLBACK_BASE_URL.rstrip("/") + request.get_full_path()
    signature = request.headers.get("X-Twilio-Signature", "")
    if not (token and RequestValidator(token).validate(address, request.POST, signature)):
        policy.deny(request, reason="SMS provider webhook without a valid signature")


@policy.public
@csrf_exempt
@require_POST
def sms_status(request: HttpRequest, reminder_id: int) -> HttpResponse:
    _refuse_unless_signed(request)
    sms_reports.reminder_delivery_report(
        reminder_id=reminder_id,
        provider_id=request.POST.get("MessageSid", ""),
        provider_status=request.POST.get("MessageStatus", ""),
    )
    return HttpResponse(status=204)


@policy.public
@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    _refuse_unless_signed(request)
    sms_reports.sms_reply_receive(
        number=request.POST.get("From", ""), body=request.POST.get("Body", "")
    )
    # Empty, whatever the number and the words: the provider sends its own reply to
    # STOP and START, and nothing here may tell a sender whether the clinic knows them.
    return HttpResponse(str(MessagingResponse()), content_type="text/xml")
