"""Sessions read from the cache, else from the database (``SESSION_ENGINE = "kefu.org.sessions_cached"``):
Django's ``cached_db``, whose database read is :mod:`kefu.org.sessions`'. Only with a cache every worker
shares (Redis): a worker's own memory would keep a session another worker logged out."""

from django.contrib.sessions.backends import cached_db

from kefu.org.sessions import FastReadMixin


class SessionStore(FastReadMixin, cached_db.SessionStore):
    pass
