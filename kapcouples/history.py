"""Audited models' `history` managers, built once per model instead of on every access.

django-simple-history's descriptor builds a new manager class (`from_queryset`, which walks
the queryset class with `inspect.getmembers`) each time `Model.history` is read, and it is
read on every audited save: booking one appointment paid for it three times.
"""

from django.apps import apps
from simple_history.manager import HistoryDescriptor


class CachedHistoryDescriptor(HistoryDescriptor):
    def __init__(self, descriptor: HistoryDescriptor) -> None:
        super().__init__(
            descriptor.model, manager=descriptor.manager_class, queryset=descriptor.queryset_class
        )
        self.bound_manager_class = self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self.bound_manager_class(self.model, instance)


def cache_history_managers() -> None:
    """Swap every audited model's history descriptor (and each historical model's
    many-to-many one) for the caching one."""
    for model in apps.get_models():
        for name, attribute in list(vars(model).items()):
            if type(attribute) is HistoryDescriptor:
                setattr(model, name, CachedHistoryDescriptor(attribute))
