from django.contrib import admin

from kefu.announcements.models import Announcement


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    """Read-only: announcements are published and withdrawn on their pages (R-TIC-10, R-AUD)."""

    list_display = ["published_at", "title", "kind", "created_by", "requires_confirmation", "withdrawn_at"]
    list_filter = ["kind", "requires_confirmation"]
    search_fields = ["title"]
    date_hierarchy = "published_at"
    list_select_related = ["created_by"]

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
