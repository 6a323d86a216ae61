"""How a customer looks to a given viewer: phones masked unless their role may see them (R-CUS-1)."""

from __future__ import annotations

from kefu.core.phones import mask_phone
from kefu.customers.access import can_see_full_phones


class PhoneView:
    """Decides once per request whether numbers are shown in full, and how they are masked."""

    def __init__(self, user):
        from kefu.rules.selectors import get_rule

        self.full = can_see_full_phones(user)
        self.keep_start = get_rule("security.phone_mask.keep_start", centre_id=user.centre_id)
        self.keep_end = get_rule("security.phone_mask.keep_end", centre_id=user.centre_id)

    def show(self, number: str) -> str:
        return number if self.full else mask_phone(number, keep_start=self.keep_start, keep_end=self.keep_end)


def phone_view_for(request) -> PhoneView:
    view = getattr(request, "_kefu_phone_view", None)
    if view is None:
        view = request._kefu_phone_view = PhoneView(request.user)
    return view
