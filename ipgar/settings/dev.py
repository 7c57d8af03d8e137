"""Quick-start settings: SQLite and the filesystem broker, nothing to install.

Used by scripts/run. DEBUG stays off unless DEBUG=1 is exported.
"""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, SECRET_KEY

# A fixed key is acceptable only here: the quick start holds demo data only.
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-ipgar-quick-start-never-use-in-production"

# The demo and synthetic data (sampledata/) and the API's sync client (sync_client/, an app
# for its sync_mirror command): never in production.
IPGAR_SAMPLE_DATA = True
INSTALLED_APPS = [*INSTALLED_APPS, "sampledata", "sync_client"]
