"""Sample data: the quick start's demo pool and the benchmark's synthetic cases.

Kept apart from the domain apps (as Zulip keeps its generator in ``zilencer/``): the
web and worker processes never import it, the production settings leave it out of
INSTALLED_APPS, the production image does not carry it (.dockerignore), and it
refuses to be imported under settings that do not allow it (``IPGAR_SAMPLE_DATA``),
so demo logins with a published password can never be loaded into a real database.
"""

from django.conf import settings

if not getattr(settings, "IPGAR_SAMPLE_DATA", False):
    raise ImportError(
        "sampledata is not available under these settings (IPGAR_SAMPLE_DATA is off, "
        "as in production)"
    )
