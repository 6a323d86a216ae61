"""Lighter web workers (issue 13): the big read-only dictionaries — pypinyin's phrases (~50 MiB) and
jieba's word list — are loaded on first use, never by starting the web application. A worker that
only creates tickets, lists and searches never loads them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
HEAVY = ("pypinyin", "jieba")

PROBE = """
import json, sys
import kefu.wsgi  # what gunicorn imports (in the master with --preload)
from django.urls import get_resolver
get_resolver().url_patterns  # every view and API module, as a worker's first request loads them
print(json.dumps({name: name in sys.modules for name in %r}))
"""


@pytest.fixture
def probe_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "KEFU_TEST"))}
    env.update(DJANGO_SETTINGS_MODULE="kefu.settings", KEFU_DATA_DIR=str(tmp_path), PYTHONPATH=str(REPO),
               DEBUG="0", SECRET_KEY="probe-only-" + "x" * 40, ALLOWED_HOSTS="127.0.0.1")
    return env


def test_starting_the_web_application_loads_no_dictionary(probe_env):
    result = subprocess.run([sys.executable, "-c", PROBE % (HEAVY,)], cwd=REPO, env=probe_env,  # noqa: S603
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == dict.fromkeys(HEAVY, False)


def test_pinyin_forms_load_pypinyin_when_first_needed():
    from kefu.customers.names import pinyin_forms

    pinyin_forms.cache_clear()
    assert pinyin_forms("张三") == ("zhangsan", "zs")
    assert "pypinyin" in sys.modules
