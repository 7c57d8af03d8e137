"""The Redis cache every process shares keeps its Redis client instead of building one
per command, and a CACHE_URL naming Redis gets it."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from ipgar.settings.env import env, keeping_the_client


def test_a_redis_cache_url_gets_the_cache_that_keeps_its_client():
    assert keeping_the_client(env.cache_url_config("rediscache://127.0.0.1:6379/1")) == {
        "BACKEND": "kernel.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }
    memory = env.cache_url_config("locmemcache://")
    assert keeping_the_client(memory) == memory


def test_the_redis_cache_answers_with_one_client_for_every_command():
    shared = {"BACKEND": "kernel.cache.RedisCache", "LOCATION": settings.REDIS_URL}
    with override_settings(CACHES={**settings.CACHES, "default": shared}):
        cache = caches["default"]
        cache.set("kept-client", {"count": 3}, 30)
        assert cache.get("kept-client") == {"count": 3}
        assert cache.get_many(["kept-client", "absent"]) == {"kept-client": {"count": 3}}
        cache.delete("kept-client")
        assert cache.get("kept-client") is None
        client = cache._cache.get_client()  # type: ignore[attr-defined]
        assert cache._cache.get_client(write=True) is client  # type: ignore[attr-defined]
