from django.apps import AppConfig


class StockConfig(AppConfig):
    """The clinic's controlled-substance stock (ketamine is Schedule III): lots received,
    each dose drawn from a lot with a witness, waste witnessed, a running balance per lot."""

    name = "stock"
