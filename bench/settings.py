"""Settings for the benchmark's in-process steps (query counts, profiles, preparing and
cleaning up): the production settings, plus the test client's host name."""

from kapcouples.settings import *  # noqa: F403

ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
