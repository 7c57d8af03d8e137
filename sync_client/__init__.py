"""The sync client: mirrors one ipgar instance into another through the API of both
(``mirror.py``, ``manage.py sync_mirror``; docs/adr/0005-sync-api.md).

A client of the API is not part of the server: it talks to an instance only over
HTTP, the web and worker processes never import it, the production settings leave it
out of INSTALLED_APPS and the production image does not carry it (.dockerignore). It
is an app only so that its management command is found under the dev, test and
benchmark settings. Under Django settings that do not install it (production) it
refuses to be imported; without Django settings (a plain Python caller such as
benchmarks/sync.py) it imports as a library.
"""

from django.conf import settings

if settings.configured and "sync_client" not in settings.INSTALLED_APPS:
    raise ImportError(
        "sync_client is not available under these settings (not in INSTALLED_APPS, "
        "as in production)"
    )
