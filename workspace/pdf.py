"""Pages turned into PDF documents with WeasyPrint.

A document is rendered from its own template and the print stylesheet only: WeasyPrint
is given no way to fetch anything (no URLs, no files), so nothing a record contains can
make the server read a file or call an address."""

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

PRINT_STYLESHEETS = ("css/print-document.css", "css/plots.css")


class NoFetching(Exception):
    pass


def _refuse(url: str, *args, **kwargs):
    raise NoFetching(f"documents fetch nothing ({url[:40]})")


def render_pdf(template_name: str, context: dict, request: HttpRequest) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, and only these views need it.
    from weasyprint import CSS, HTML

    html = render_to_string(template_name, context, request=request)
    stylesheets = [
        CSS(filename=finders.find(name), url_fetcher=_refuse) for name in PRINT_STYLESHEETS
    ]
    return HTML(string=html, url_fetcher=_refuse).write_pdf(stylesheets=stylesheets)


def pdf_response(document: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A clinical record: never kept by a browser's or a proxy's cache.
    response["Cache-Control"] = "no-store, private"
    return response
