"""R-ORG-2 data scope: one mechanism, checked per role."""

import pytest

from kefu.org.models import Team
from kefu.org.scope import CENTRE, DEPARTMENT, SELF, TEAM, scope_for
from kefu.org.tests.factories import ShopFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_r_org_2_agent_sees_the_shops_their_team_serves_and_acts_on_themselves_only(demo):
    agent = demo.users["agent1"]
    scope = scope_for(agent)
    assert scope.level == SELF
    assert scope.shop_ids == {s.pk for s in demo.shops.values()}
    assert list(scope.people()) == [agent]
    assert not scope.can_act_on_person(demo.users["agent2"])


def test_r_org_2_agent_of_a_team_serving_one_shop_does_not_see_the_other_shops(demo):
    tmall = demo.shops["tmall"]
    team = TeamFactory(department=demo.departments["客服部"], shops=[tmall])
    agent = UserFactory(team=team, roles=["agent"])
    scope = scope_for(agent)
    assert scope.shop_ids == {tmall.pk}
    assert scope.can_see_shop(tmall.pk)
    assert not scope.can_see_shop(demo.shops["jd"].pk)


def test_r_org_2_filter_by_shop_keeps_only_rows_of_shops_in_scope(demo):
    tmall = demo.shops["tmall"]
    team = TeamFactory(department=demo.departments["客服部"], shops=[tmall])
    agent = UserFactory(team=team, roles=["agent"])
    # Team–shop links are rows with a ``shop`` foreign key, like customers and tickets.
    links = Team.shops.through.objects.all()
    kept = scope_for(agent).filter_by_shop(links)
    assert {link.shop_id for link in kept} == {tmall.pk}
    assert links.count() > kept.count()
    assert list(scope_for(agent).shops()) == [tmall]


def test_r_org_2_lead_sees_only_their_team(demo):
    lead = demo.users["lead1"]
    scope = scope_for(lead)
    assert scope.level == TEAM
    names = set(scope.people().values_list("username", flat=True))
    assert names == {"lead1", "agent1", "agent2", "agent3"}
    assert scope.can_act_on_person(demo.users["agent3"])
    assert not scope.can_act_on_person(demo.users["agent4"])


@pytest.mark.parametrize("username", ["head1", "qa1"])
def test_r_org_2_head_and_qa_see_their_department(demo, username):
    scope = scope_for(demo.users[username])
    assert scope.level == DEPARTMENT
    names = set(scope.people().values_list("username", flat=True))
    assert {"agent1", "agent6", "lead2"} <= names
    other = UserFactory(department=demo.departments["物流部"], roles=["agent"])
    assert not scope.can_act_on_person(other)


@pytest.mark.parametrize("username", ["director1", "admin"])
def test_r_org_2_director_and_admin_see_the_whole_centre(demo, username):
    scope = scope_for(demo.users[username])
    assert scope.level == CENTRE
    other = UserFactory(department=demo.departments["物流部"], roles=["agent"])
    assert scope.can_act_on_person(other)
    assert other in scope.people()


def test_r_org_2_several_roles_get_the_widest_scope(demo):
    team = demo.teams[0]
    person = UserFactory(team=team, roles=["agent", "head"])
    assert scope_for(person).level == DEPARTMENT


def test_r_org_1_a_shop_of_another_centre_is_outside_a_directors_scope(demo):
    from kefu.org.tests.factories import CentreFactory

    foreign = ShopFactory(centre=CentreFactory(name="别的中心"))
    assert not scope_for(demo.users["director1"]).can_see_shop(foreign.pk)


# -- computed scopes are remembered per process until the organisation's structure changes --------------

def fresh(user):
    """The person as the next request reads them."""
    return type(user).objects.get(pk=user.pk)


@pytest.mark.django_db(transaction=True)
def test_r_org_2_a_scope_is_computed_once_and_again_when_a_team_stops_serving_a_shop(django_assert_num_queries):
    from kefu.org.demo import seed_demo
    from kefu.org.models import Shop, User

    seed_demo()
    agent = User.objects.get(username="agent1")
    tmall = Shop.objects.get(code="tmall")
    assert scope_for(fresh(agent)).can_see_shop(tmall.pk)
    again = fresh(agent)
    again.role_codes  # noqa: B018 - the roles come with the person (the token lookup brings them)
    with django_assert_num_queries(0):
        assert scope_for(again).can_see_shop(tmall.pk)
    for team in Team.objects.filter(pk=agent.team_id):
        team.shops.remove(tmall)
    assert not scope_for(fresh(agent)).can_see_shop(tmall.pk)


def test_r_org_2_a_new_role_or_team_of_the_person_counts_at_once(demo):
    from kefu.org.models import UserRole

    agent = demo.users["agent1"]
    assert scope_for(fresh(agent)).level == SELF
    UserRole.objects.create(user=agent, role="lead")
    assert scope_for(fresh(agent)).level == TEAM
    other = Team.objects.exclude(pk=agent.team_id).first()
    type(agent).objects.filter(pk=agent.pk).update(team=other)  # no signal: the person's fields are the key
    assert scope_for(fresh(agent)).team_ids == frozenset([other.pk])


@pytest.mark.django_db(transaction=True)  # committed writes: the memo itself is read, not bypassed
def test_a_shop_named_by_code_is_found_after_it_is_created_and_lost_when_renamed(demo):
    from kefu.org.models import Shop
    from kefu.org.selectors import shop_by_code

    assert shop_by_code("douyin") is None
    shop = Shop.objects.create(centre=demo.centre, code="douyin", name="抖音店")
    assert shop_by_code("douyin") == shop
    shop.code = "dy"
    shop.save()
    assert shop_by_code("douyin") is None and shop_by_code("dy") == shop
    shop_by_code("dy").name = "changed in one request"  # a copy: the next request's shop is as stored
    assert shop_by_code("dy").name == "抖音店"


@pytest.mark.django_db(transaction=True)
def test_r_org_2_a_team_moved_to_another_department_changes_the_heads_scope(demo):
    from kefu.org.models import Department, User

    head = User.objects.get(username="head1")
    team = Team.objects.get(pk=demo.teams[0].pk)
    assert team.pk in scope_for(fresh(head)).team_ids
    team.department = Department.objects.exclude(pk=team.department_id).first()
    team.save()
    assert team.pk not in scope_for(fresh(head)).team_ids
