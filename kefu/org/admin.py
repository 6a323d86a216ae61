from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from kefu.core.admin_site import AuditedModelAdmin
from kefu.org.models import ApiToken, Centre, Department, Shop, Team, User, UserRole


@admin.register(Centre)
class CentreAdmin(AuditedModelAdmin):
    list_display = ["name", "time_zone"]
    exclude = ["version"]


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "centre"]
    list_filter = ["kind", "centre"]
    exclude = ["version"]


@admin.register(Shop)
class ShopAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "active", "centre"]
    list_filter = ["active"]
    exclude = ["version"]


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin):
    list_display = ["name", "department"]
    list_filter = ["department"]
    filter_horizontal = ["shops"]
    exclude = ["version"]


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 1
    verbose_name = _("role")


@admin.register(User)
class PersonAdmin(AuditedModelAdmin, UserAdmin):
    list_display = ["username", "display_name", "department", "team", "role_list", "is_active"]
    list_filter = ["department", "team", "roles__role", "is_active"]
    search_fields = ["username", "display_name", "email"]
    inlines = [UserRoleInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("display_name", "email", "language")}),
        (_("Organisation"), {"fields": ("centre", "department", "team")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "is_superuser", "last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department", "team").prefetch_related("roles")

    @admin.display(description=_("roles"))
    def role_list(self, obj):
        return "、".join(str(r.get_role_display()) for r in obj.roles.all())


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "user", "name", "created_at", "expires_at", "last_used_at"]
    exclude = ["digest"]

    def has_add_permission(self, request):
        return False
