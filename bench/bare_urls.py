"""One view that does nothing, served through the full middleware stack: the baseline the
pages are compared with in the same run."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from kapcouples import policy


@policy.public
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench-bare/", bare, name="bench_bare")]
