from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from kapcouples import policy, selectors


@policy.public
def health(request: HttpRequest) -> HttpResponse:
    """Database, broker and worker status for people and for load balancers (?format=json)."""
    status = selectors.health_status()
    code = 200 if status.ok else 503
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "database": status.database_ok,
                "broker": status.broker_ok,
                "last_heartbeat": status.last_heartbeat.isoformat()
                if status.last_heartbeat
                else None,
                "heartbeat_age_seconds": status.heartbeat_age_seconds,
            },
            status=code,
        )
    return render(request, "health.html", {"status": status}, status=code)
