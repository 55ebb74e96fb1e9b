import pytest

from kapcouples.celery import app

DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_url():
    """Point this process's Celery app at another broker; restore the real one after."""
    real = app.conf.broker_url

    def point_at(url: str) -> None:
        app.close()  # drop pooled connections to the previous broker
        app.conf.broker_url = url

    yield point_at
    point_at(real)
