import pytest

from kapcouples.celery import app
from tests.integration import twilio_standin

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


@pytest.fixture(autouse=True)
def sms_provider_off_the_network(settings):
    """Whatever a developer's .env holds, a Twilio backend in these tests reaches nothing
    beyond this machine: a closed loopback port, unless the test starts the stand-in."""
    settings.KAP_TWILIO_API_BASE_URL = "http://127.0.0.1:9"


@pytest.fixture
def twilio(settings):
    """The Twilio stand-in on loopback, with `TwilioBackend` configured to use it."""
    standin, server = twilio_standin.start(
        username=twilio_standin.ACCOUNT_SID, password=twilio_standin.AUTH_TOKEN
    )
    for name, value in twilio_standin.settings_for(standin).items():
        setattr(settings, name, value)
    yield standin
    server.shutdown()
    server.server_close()
