"""Quality inspection in the admin site: read to look things up; changes go through the pages and the API
(services: validated, audited), so nothing is edited here."""

from django.contrib import admin

from kefu.quality.models import Appeal, CalibrationSession, Review, Scorecard, ScorecardItem


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ItemInline(admin.TabularInline):
    model = ScorecardItem
    extra = 0
    fields = ("position", "code", "name", "weight", "critical", "description")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ("name", "version", "active", "is_default", "created_at")
    list_filter = ("active",)
    inlines = [ItemInline]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "agent", "inspector", "score", "failed", "mystery", "appeal_state", "created_at")
    list_filter = ("failed", "mystery", "appeal_state")
    list_select_related = ("ticket", "agent", "inspector")
    search_fields = ("ticket__number", "agent__username")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("review", "status", "created_by", "decided_by", "created_at")
    list_filter = ("status",)
    list_select_related = ("review__ticket", "created_by", "decided_by")


@admin.register(CalibrationSession)
class CalibrationSessionAdmin(ReadOnlyAdmin):
    list_display = ("name", "reference", "created_at", "closed")
