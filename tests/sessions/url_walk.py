"""Objects for this app's URL parameters in the URL walk (tests/kapcouples/test_url_access.py)."""


def url_kwargs(cast) -> dict:
    return {}
