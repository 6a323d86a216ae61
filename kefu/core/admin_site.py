"""The Django admin, in Chinese, for administrators only (R-ORG-2), with every save audited."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class KefuAdminSite(admin.AdminSite):
    site_header = _("kefu administration")
    site_title = _("kefu administration")
    index_title = _("Organisation, people and configuration")

    def has_permission(self, request):
        user = request.user
        return bool(
            user.is_active and user.is_authenticated and (user.is_superuser or user.has_role("admin"))
        )


class KefuAdminConfig(AdminConfig):
    default_site = "kefu.core.admin_site.KefuAdminSite"


class AuditedModelAdmin(admin.ModelAdmin):
    """Records every admin create/change/delete in the audit trail (R-AUD).

    Administrators hold full model permissions inside the admin; reaching it at all needs the
    administrator role (see :class:`KefuAdminSite`).
    """

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)

    def save_model(self, request, obj, form, change):
        from kefu.audit.services import Action, record, record_change, snapshot

        if change:
            before = snapshot(type(obj).objects.get(pk=obj.pk))
            if hasattr(obj, "version"):
                obj.version += 1
            super().save_model(request, obj, form, change)
            record_change(actor=request.user, obj=obj, before=before, note="admin")
        else:
            super().save_model(request, obj, form, change)
            record(actor=request.user, action=Action.CREATE, obj=obj, after=snapshot(obj), note="admin")

    def delete_model(self, request, obj):
        from kefu.audit.services import Action, record, snapshot

        before = snapshot(obj)
        record(actor=request.user, action=Action.DELETE, obj=obj, before=before, note="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
