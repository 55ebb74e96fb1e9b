"""The bare view's server: the production settings and middleware, one view."""

from kapcouples.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
