"""Quick-start settings: SQLite and the filesystem broker, nothing to install.

Used by scripts/run. DEBUG stays off unless DEBUG=1 is exported.
"""

from .base import *  # noqa: F403
from .base import DOCUMENTS_ENCRYPTION_KEY, INSTALLED_APPS, SECRET_KEY, VAR_DIR

# A fixed key is acceptable only here: the quick start holds demo data only.
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-ipgar-quick-start-never-use-in-production"

# The demo and synthetic data (sampledata/) and the API's sync client (sync_client/, an app
# for its sync_mirror command): never in production.
IPGAR_SAMPLE_DATA = True
INSTALLED_APPS = [*INSTALLED_APPS, "sampledata", "sync_client"]


def _quick_start_documents_key() -> list[str]:
    """The quick start's own document key, made once in var/ (never in the repository)."""
    from cryptography.fernet import Fernet

    path = VAR_DIR / "documents-encryption.key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_bytes(Fernet.generate_key())
    return [path.read_text().strip()]


DOCUMENTS_ENCRYPTION_KEY = DOCUMENTS_ENCRYPTION_KEY or _quick_start_documents_key()
