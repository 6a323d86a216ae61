"""Cache keys carry a per-deployment prefix: two kefu sites sharing one Redis database never read each
other's cached sessions, rules or counts (``KEFU_CACHE_PREFIX``, else one derived from the database's name)."""

import os

import pytest
from django.conf import settings

from kefu.settings import cache_prefix

SITE_A = {"HOST": "db.example", "PORT": 5432, "NAME": "kefu_hotline"}
SITE_B = {"HOST": "db.example", "PORT": 5432, "NAME": "kefu_shops"}


def test_each_database_gets_its_own_prefix_and_keeps_it():
    assert cache_prefix(SITE_A, None) == cache_prefix(dict(SITE_A), None)  # the same after a restart
    # the web and the consumer of one site agree however their URLs spell the server
    assert cache_prefix(SITE_A, None) == cache_prefix({**SITE_A, "HOST": "10.0.0.5", "PORT": ""}, None)
    assert cache_prefix(SITE_A, None) != cache_prefix(SITE_B, None)
    assert cache_prefix(SITE_A, None).startswith("kefu-")


def test_the_environment_chooses_the_prefix_when_set():
    assert cache_prefix(SITE_A, "hotline") == "hotline"
    assert cache_prefix(SITE_A, "") == ""  # an explicit empty prefix: keys as before this setting


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
def test_two_sites_on_one_redis_do_not_see_each_others_entries():
    from django.core.cache.backends.redis import RedisCache

    url = os.environ["REDIS_URL"]
    site_a = RedisCache(url, {"KEY_PREFIX": cache_prefix(SITE_A, None)})
    site_b = RedisCache(url, {"KEY_PREFIX": cache_prefix(SITE_B, None)})
    key = "django.contrib.sessions.cached_db" + "k3fu5e55ion"
    try:
        site_a.set(key, {"_auth_user_id": "7"}, 60)
        assert site_b.get(key) is None
        assert site_a.get(key) == {"_auth_user_id": "7"}
    finally:
        site_a.delete(key)
    # this run's own cache has one too (derived from the database URL before the test database was made)
    explicit = os.environ.get("KEFU_CACHE_PREFIX")
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert prefix == explicit if explicit is not None else prefix.startswith("kefu-")
