"""R-SEC / R-AUD: the client's address behind a reverse proxy (KEFU_TRUSTED_PROXIES, X-Forwarded-For)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from kefu.audit.models import AuditEvent
from kefu.core.http import client_ip
from kefu.org.demo import DEMO_PASSWORD

THROTTLE = {"window_minutes": 15, "max_failures_per_user": 5, "max_failures_per_ip": 20}


def _ip(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_r_sec_without_trusted_proxies_the_header_is_ignored(settings):
    settings.KEFU_TRUSTED_PROXIES = []
    assert _ip("127.0.0.1", "203.0.113.7") == "127.0.0.1"


def test_r_sec_spoofed_header_from_an_untrusted_peer_is_ignored(settings):
    settings.KEFU_TRUSTED_PROXIES = ["127.0.0.1"]
    assert _ip("198.51.100.4", "203.0.113.7") == "198.51.100.4"
    assert _ip("198.51.100.4", "127.0.0.1") == "198.51.100.4"


def test_r_sec_trusted_proxy_gives_the_real_client(settings):
    settings.KEFU_TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    assert _ip("127.0.0.1", "203.0.113.7") == "203.0.113.7"
    assert _ip("127.0.0.1", " 203.0.113.7 ") == "203.0.113.7"
    # no header: the proxy itself (e.g. a health check from the machine)
    assert _ip("127.0.0.1") == "127.0.0.1"
    assert _ip("127.0.0.1", "") == "127.0.0.1"


def test_r_sec_client_written_entries_left_of_the_real_client_are_not_believed(settings):
    settings.KEFU_TRUSTED_PROXIES = ["127.0.0.1"]
    # the client sent "X-Forwarded-For: 10.9.9.9"; nginx appended the address it really saw
    assert _ip("127.0.0.1", "10.9.9.9, 203.0.113.7") == "203.0.113.7"
    # a client pretending to be the trusted proxy gains nothing either
    assert _ip("127.0.0.1", "10.9.9.9, 127.0.0.1, 203.0.113.7") == "203.0.113.7"


def test_r_sec_chain_of_two_trusted_proxies(settings):
    settings.KEFU_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    # client → load balancer 10.0.0.5 → nginx on 127.0.0.1 → gunicorn
    assert _ip("127.0.0.1", "203.0.113.7, 10.0.0.5") == "203.0.113.7"
    assert _ip("127.0.0.1", "192.0.2.1, 203.0.113.7, 10.0.0.5") == "203.0.113.7"
    # every hop trusted (a request from inside the network): the left-most
    assert _ip("127.0.0.1", "10.1.2.3, 10.0.0.5") == "10.1.2.3"


def test_r_sec_malformed_header_falls_back_to_remote_addr(settings):
    settings.KEFU_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    for header in ("garbage", "203.0.113.7:5555", "203.0.113.7, unknown", "203.0.113.7,,10.0.0.5", "999.1.1.1",
                   "<script>", "203.0.113.7;10.0.0.5"):
        assert _ip("127.0.0.1", header) == "127.0.0.1", header
    # a malformed entry left of the real client is never reached
    assert _ip("127.0.0.1", "garbage, 203.0.113.7") == "203.0.113.7"


def test_r_sec_ipv6_proxy_and_client(settings):
    settings.KEFU_TRUSTED_PROXIES = ["::1", "fd00::/8"]
    assert _ip("::1", "2001:DB8:0:0::1") == "2001:db8::1"
    assert _ip("::1", "2001:db8::1, fd00::5") == "2001:db8::1"
    assert _ip("::1", "203.0.113.7") == "203.0.113.7"
    # an IPv4 peer is not inside an IPv6 network
    assert _ip("127.0.0.1", "203.0.113.7") == "127.0.0.1"
    # an IPv4-mapped IPv6 peer (dual-stack socket) is the IPv4 address
    settings.KEFU_TRUSTED_PROXIES = ["127.0.0.1"]
    assert _ip("::ffff:127.0.0.1", "2001:db8::1") == "2001:db8::1"


def test_r_sec_no_peer_address_is_unknown(settings):
    settings.KEFU_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(None) is None
    assert _ip("") is None
    assert _ip("not-an-address", "203.0.113.7") is None


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def _behind_nginx(client_address):
    return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=client_address)


@pytest.mark.django_db
def test_r_sec_one_client_behind_the_proxy_does_not_lock_out_another(demo, settings):
    settings.KEFU_LOGIN_THROTTLE = THROTTLE
    settings.KEFU_TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    attacker = _behind_nginx("203.0.113.66")
    names = ["agent1", "agent2", "agent3", "agent4"]
    for i in range(20):  # 20 wrong passwords, spread so that no username reaches its own limit of 5
        assert _login(attacker, names[i % 4], "wrong").status_code == 200
    # the attacker's address is now locked …
    assert _login(attacker, "agent5", DEMO_PASSWORD).status_code == 429
    # … even when it claims another address in front of the one nginx saw
    assert _login(_behind_nginx("198.51.100.1, 203.0.113.66"), "agent5", DEMO_PASSWORD).status_code == 429
    # … but a colleague behind the same proxy logs in
    colleague = _behind_nginx("198.51.100.23")
    assert _login(colleague, "agent5", DEMO_PASSWORD).status_code == 302
    assert AuditEvent.objects.get(action="login", actor_name="agent5").ip == "198.51.100.23"
    assert set(AuditEvent.objects.filter(action="login_failed").values_list("ip", flat=True)) == {"203.0.113.66"}


@pytest.mark.django_db
def test_r_sec_without_trusted_proxies_everyone_behind_the_proxy_shares_one_limit(demo, settings):
    settings.KEFU_LOGIN_THROTTLE = THROTTLE
    settings.KEFU_TRUSTED_PROXIES = []
    attacker = _behind_nginx("203.0.113.66")
    names = ["agent1", "agent2", "agent3", "agent4"]
    for i in range(20):
        _login(attacker, names[i % 4], "wrong")
    assert _login(_behind_nginx("198.51.100.23"), "agent5", DEMO_PASSWORD).status_code == 429


def test_r_sec_a_bad_trusted_proxies_setting_refuses_to_start():
    env = {**os.environ, "KEFU_TRUSTED_PROXIES": "127.0.0.1,nginx.local"}
    result = subprocess.run(  # noqa: S603 - fixed command
        [sys.executable, "manage.py", "check"], cwd=Path(__file__).resolve().parents[3], env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "KEFU_TRUSTED_PROXIES: 'nginx.local'" in result.stderr
