"""(Adopted on 2026-11-23: the selectors now do this; kept so the figures can be reproduced.)

The selector changes bench/README.md proposes, written here so the benchmark can measure them
against the selectors as they are. They need the ``kefu_grams`` GIN indexes of customers 0002 and
tickets 0002 (PostgreSQL); on SQLite ``grams_match`` returns None and the conditions stay as today.

Proposed home: ``query_grams``/``grams_match`` in kefu/core/search.py, the two conditions in
``kefu.customers.selectors.search`` and ``kefu.tickets.selectors.list_tickets``.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kefu.core.search import grams_match


def customer_search(qs: QuerySet, q: str) -> QuerySet:
    """``kefu.customers.selectors.search`` with the name/notes arms gated by the grams index, and the
    tag arm only when ``q`` is a tag in use (its ``pk IN (subquery)`` inside the OR otherwise makes
    PostgreSQL test every customer in scope)."""
    import re

    from kefu.core.phones import normalize_phone
    from kefu.customers.models import CustomerPhone, CustomerTag
    from kefu.customers.selectors import _DIGITS, _LATIN

    q = (q or "").strip()
    if not q:
        return qs
    if _DIGITS.match(q):
        digits = normalize_phone(q) or re.sub(r"\D", "", q)
        ids = CustomerPhone.objects.filter(
            Q(reversed_number__startswith=digits[::-1]) | Q(number__startswith=digits)
        ).values("customer_id")
        return qs.filter(pk__in=ids)
    gate = grams_match("customers_customer", ["name", "notes"], q, upper=True)
    if _LATIN.match(q):
        lowered = q.lower()
        others = Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered) | Q(
            email__istartswith=lowered)
        name = Q(name__icontains=q)
        if gate is None:
            return qs.filter(others | name)
        # others OR (gate AND name), written as (others OR gate) AND (others OR name): the first
        # factor is exactly the BitmapOr of four indexes, so PostgreSQL does not evaluate
        # kefu_grams() again on every row it fetches; the second checks the rows exactly.
        return qs.filter(others | gate).filter(others | name)
    text = Q(name__contains=q) | Q(notes__contains=q)
    tag_ids = CustomerTag.objects.filter(tag=q).values("customer_id")
    if gate is None:
        return qs.filter(text | Q(pk__in=tag_ids))
    if not tag_ids.exists():  # the usual case: a name fragment, answered from the GIN index alone
        return qs.filter(gate & text)
    # q is also a tag: both arms as id subqueries (hashed once each), never kefu_grams() per row
    from kefu.customers.models import Customer

    return qs.filter(Q(pk__in=tag_ids) | Q(pk__in=Customer.objects.filter(gate & text).values("pk")))


def ticket_search(qs: QuerySet, q: str) -> QuerySet:
    """The keyword condition of ``kefu.tickets.selectors.list_tickets`` with the text arm gated by the
    grams index, so that the OR of number, phone and text becomes a BitmapOr of three indexes."""
    from kefu.core.phones import normalize_phone

    q = q.strip()
    exact = Q(number__iexact=q)
    digits = normalize_phone(q)
    if digits and len(digits) >= 7:
        exact |= Q(caller_phone=digits)
    text = Q(title__contains=q) | Q(description__contains=q)
    gate = grams_match("tickets_ticket", ["title", "description"], q)
    if gate is None:
        return qs.filter(exact | text)
    # exact OR (gate AND text), written as (exact OR gate) AND (exact OR text): the first factor is
    # exactly the BitmapOr of the indexes, so PostgreSQL does not evaluate kefu_grams() again on
    # every row it fetches (that re-evaluation cost seconds); the second checks the rows exactly.
    return qs.filter(exact | gate).filter(exact | text)
