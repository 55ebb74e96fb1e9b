"""Objects for this app's URL parameters in the URL walk (tests/kapcouples/test_url_access.py)
and the outside prescribers the walk signs in as (tests/outside/test_url_walk.py)."""

from tests.outside.helpers import outside_prescriber


def url_kwargs(cast) -> dict:
    return {"grant_id": walkers(cast)["granted"].outside_grants.get().pk}


def walkers(cast) -> dict:
    """`granted` holds a grant for the cast's couple (whose objects the walk uses);
    `other` holds one for the other couple only. Made once per cast."""
    if not hasattr(cast, "_outside_walkers"):
        cast._outside_walkers = {
            "granted": outside_prescriber(cast, cast.couple, name="Gina Granted"),
            "other": outside_prescriber(cast, cast.other_couple, name="Otto Other"),
        }
    return cast._outside_walkers
