"""Optimistic concurrency: a change must name the version it read (R-ERR)."""

from django.utils.translation import gettext as _

from kefu.core.errors import StaleVersion


def check_version(obj, expected: int | None) -> None:
    """Refuse the change when ``expected`` is not the object's current version.

    Call on a row fetched with ``select_for_update()`` inside the service's transaction.
    """
    if expected is None:
        raise StaleVersion(
            _("Send the version you read, so that changes made meanwhile are not overwritten."),
        )
    if int(expected) != obj.version:
        raise StaleVersion(
            _("This record was changed by someone else (version %(current)s, you sent %(sent)s). "
              "Reload it and try again.") % {"current": obj.version, "sent": expected},
        )


def bump_version(obj) -> None:
    obj.version = obj.version + 1
