"""`get_FOO_display()` without rebuilding the field's choices on every call.

Django's `Model._get_FIELD_display` makes a dict of all of a field's choices each time it
is called; a page of 50 outbox messages with four choice columns built it 200 times (a
tenth of the page's time). Models whose lists show many rows take `QuickChoiceLabels`
first among their bases: same labels, one dict per field.
"""

import functools

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


class QuickChoiceLabels:
    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        # force_str() to coerce lazy strings, in the reader's language.
        return force_str(_labels_of(field).get(make_hashable(value), value), strings_only=True)


@functools.cache
def _labels_of(field) -> dict:
    return dict(make_hashable(field.flatchoices))
