"""Who may see and act on which customer (R-ORG-2, R-CUS-1): the one fetch-and-check helper."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kefu.core.errors import NotAllowed, NotFound
from kefu.customers.models import Customer
from kefu.org.roles import Role
from kefu.org.scope import SELF, TEAM, scope_for


def customers_in_scope(user) -> QuerySet[Customer]:
    """Customers of the shops in the caller's scope (agents: the shops their team serves)."""
    return scope_for(user).filter_by_shop(Customer.objects.all())


def can_act_on(user, customer: Customer) -> bool:
    """Owners act on their customers; leads on their team's and on their shops' pool; heads,
    directors and administrators on everything in scope. QA inspectors only read."""
    scope = scope_for(user)
    if not scope.can_see_shop(customer.shop_id):
        return False
    if customer.owner_id == user.pk:
        return True
    roles = user.role_codes
    if user.is_superuser or roles & {Role.HEAD, Role.DIRECTOR, Role.ADMIN}:
        return True
    if scope.level == TEAM or Role.LEAD in roles:
        if customer.owner_id is None:
            return True
        return customer.owner_id in set(scope.people().values_list("pk", flat=True))
    return False


def access_customer(user, customer_id: int, *, act: bool = False, for_update: bool = False) -> Customer:
    """Fetch a customer the caller may see (404 otherwise: outside scope looks like absence) and,
    with ``act=True``, may change (403)."""
    qs = customers_in_scope(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    customer = qs.filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    if act and not can_act_on(user, customer):
        raise NotAllowed(_("You may not change this customer: it belongs to someone outside your team."))
    return customer


def can_see_full_phones(user, *, centre_id: int | None = None) -> bool:
    """R-CUS-1: roles allowed to see phone numbers in full (default: head, director, administrator)."""
    from kefu.rules.selectors import get_rule

    allowed = set(get_rule("security.phone_full_view_roles", centre_id=centre_id or user.centre_id))
    return bool(user.is_superuser and "admin" in allowed) or bool(user.role_codes & allowed)


def is_agent_only(user) -> bool:
    return scope_for(user).level == SELF


def can_reassign(user) -> bool:
    """R-CUS-10: team leads and above move customers between people of their scope."""
    return user.is_superuser or user.has_role(Role.LEAD, Role.HEAD, Role.DIRECTOR, Role.ADMIN)


def default_list_view(user) -> str:
    """The customer list opens on an agent's own customers ("mine"), a lead's team ("team"), and the whole
    scope ("all") for heads, directors, QA inspectors and administrators, who own none themselves."""
    if user.is_superuser or user.has_role(Role.HEAD, Role.DIRECTOR, Role.ADMIN, Role.QA):
        return "all"
    return "team" if user.has_role(Role.LEAD) else "mine"


def read_only_reason(user, customer: Customer) -> str | None:
    """Why a customer's page offers no change to ``user``: a colleague's customer, or a QA inspector's
    reading (the pool's customers have their claim button instead)."""
    if customer.owner_id is None:
        return None
    if user.has_role(Role.QA) and not user.has_role(Role.AGENT, Role.LEAD, Role.HEAD, Role.DIRECTOR, Role.ADMIN):
        return _("QA inspectors read customers; they do not change them.")
    return _("This customer belongs to %(owner)s: you can only view it.") % {"owner": customer.owner}
