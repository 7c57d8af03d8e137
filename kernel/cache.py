"""Django's Redis cache, keeping its Redis client.

Django's Redis cache builds a ``redis.Redis`` object around its connection pool for
every command: about a quarter of a millisecond, paid two or three times by every
signed-in page (the session, the signed-in user, the menu's counts). This one keeps
the object per pool; it holds nothing but the pool, and is safe to share between
threads (redis-py takes a connection from the pool per command, and the pool starts
afresh in a forked process).
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ClientKeptRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own client's attributes, which its type stubs leave out.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            made = self._client(connection_pool=pool)  # type: ignore[attr-defined]
            client = self._clients.setdefault(id(pool), made)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ClientKeptRedisCacheClient
