"""Administrators maintain the time limits per type × priority (R-TIC-4) here. Tickets themselves change
only through the services (pages and API), so they have no admin screen."""

from django.contrib import admin

from kefu.core.admin_site import AuditedModelAdmin
from kefu.tickets.models import SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedModelAdmin):
    list_display = ("type", "priority", "first_response_minutes", "resolution_minutes", "calendar", "centre")
    list_filter = ("centre", "type", "priority", "calendar")
    list_editable = ("first_response_minutes", "resolution_minutes", "calendar")
    ordering = ("centre", "type", "priority")
    exclude = ("version",)
