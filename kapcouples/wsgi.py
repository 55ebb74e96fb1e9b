import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kapcouples.settings")
application = get_wsgi_application()

# What a worker has built by now (models, URL patterns, translations) lives as long as the
# process. Frozen, the garbage collector stops re-scanning it: a full collection over it
# took about 100 ms, once every hundred caseload requests. And with a young generation of
# 10,000 rather than 700 objects, most of a request's objects are freed before any
# collection scans them (README, "Benchmarks"). Set here, so every WSGI server gets it.
gc.freeze()
gc.set_threshold(10_000, 10, 10)
