"""The one fetch-and-check of an announcement for pages and the API (R-TIC-10, R-ORG-2)."""

from __future__ import annotations

from kefu.announcements import selectors
from kefu.announcements.models import Announcement


def access_announcement(user, announcement_id: int) -> Announcement:
    """The announcement as ``user`` may see it, with the list's annotations (``my_confirmed_at``,
    ``needs_confirmation``). Withdrawn and expired ones only for team leads and above; anything else
    raises NotFound (another team's announcement looks the same as a missing one)."""
    return selectors.get_for(user, announcement_id, active_only=not selectors.is_manager(user))
