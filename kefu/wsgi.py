"""The WSGI application (gunicorn ``kefu.wsgi:application``).

Everything a request needs is imported here, not on each worker's first request: the URL conf imports
every view and API module. With ``gunicorn --preload`` this runs once in the master and the forked
workers share those pages instead of each loading its own copy; the objects made so far are then frozen
(``gc.freeze``) so the collector does not write to the shared pages (copy on write). Nothing here opens a
database connection or a thread. Large dictionaries used rarely (pypinyin, jieba) are loaded on first
use instead (bench/notes/server.md)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
application = get_wsgi_application()


def _load_everything() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URL conf and every module it names


_load_everything()
gc.freeze()
