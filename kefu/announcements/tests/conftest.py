import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.announcements import services


@pytest.fixture
def publish(demo):
    """``publish(author="head1", title=..., teams=["一班"], **fields)`` through the service (team names)."""
    teams_by_name = {t.name: t.pk for t in demo.teams}

    def make(author: str = "head1", title: str = "退款审核时限调整", *, teams=(), body: str = "自下周一起退款审核时限为1个工作日。",
             kind: str = "business_change", **fields):
        return services.publish(actor=demo.users[author], title=title, body=body, kind=kind,
                                teams=[teams_by_name[t] for t in teams], **fields)

    return make


@pytest.fixture
def count_queries():
    def run(fn):
        with CaptureQueriesContext(connection) as ctx:
            result = fn()
        return len(ctx.captured_queries), result

    return run
