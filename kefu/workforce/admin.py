"""Django admin of the workforce app. Every change of these rows has a service (rules, audit trail,
notifications): the admin changes shift types only through ``services.planning`` and shows the rest read-only
(they are changed on the workforce pages and the API)."""

from django import forms
from django.contrib import admin, messages

from kefu.core.errors import Errors, ServiceError
from kefu.workforce import models
from kefu.workforce.services import planning


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, searched and filtered; changed only through the services (the pages and the API)."""

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


class ShiftTypeForm(forms.ModelForm):
    """The service's own checks, shown on the form's fields before anything is saved."""

    class Meta:
        model = models.ShiftType
        fields = ("centre", "code", "name", "kind", "start", "end", "breaks", "work_type", "headcount", "active")

    def clean(self):
        data = super().clean()
        errors = Errors()
        planning.check_shift_type(errors, name=data.get("name") or "", kind=data.get("kind") or "",
                                  start=data.get("start"), end=data.get("end"), breaks=data.get("breaks") or [],
                                  work_type=data.get("work_type") or "", headcount=data.get("headcount") or 0)
        for error in errors.items:
            self.add_error(error.field if error.field in self.fields else None, str(error.message))
        return data


@admin.register(models.ShiftType)
class ShiftTypeAdmin(admin.ModelAdmin):
    form = ShiftTypeForm
    list_display = ("code", "name", "centre", "kind", "start", "end", "work_type", "headcount", "active")
    list_filter = ("centre", "kind", "active")
    search_fields = ("code", "name", "work_type")
    fields = ("centre", "code", "name", "kind", "start", "end", "breaks", "work_type", "headcount", "active",
              "version")
    readonly_fields = ("version",)

    def get_readonly_fields(self, request, obj=None):
        # the centre and the code name the shift type: fixed once it exists
        return ("centre", "code", "version") if obj is not None else ("version",)

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # switch it off (active) instead: shifts keep pointing at it

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in planning.SHIFT_TYPE_FIELDS}
        try:
            if change:
                saved = planning.update_shift_type(actor=request.user, shift_type_id=obj.pk,
                                                   version=form.initial.get("version", obj.version), **data)
            else:
                saved = planning.create_shift_type(actor=request.user, centre=form.cleaned_data["centre"],
                                                   code=form.cleaned_data["code"], **data)
        except ServiceError as exc:  # refused (no right, changed meanwhile): nothing was saved
            messages.error(request, " ".join([str(exc.detail), *(str(e.message) for e in exc.errors)]))
            return
        obj.pk, obj.version = saved.pk, saved.version


@admin.register(models.Shift)
class ShiftAdmin(ReadOnlyAdmin):
    list_display = ("person", "team", "date", "shift_type", "kind", "start", "end", "status", "leave", "proposal")
    list_filter = ("status", "kind", "team", "shift_type")
    search_fields = ("person__username", "person__display_name")
    date_hierarchy = "date"
    list_select_related = ("person", "team", "shift_type", "leave", "proposal")


@admin.register(models.LeaveRequest)
class LeaveRequestAdmin(ReadOnlyAdmin):
    list_display = ("person", "kind", "start_at", "end_at", "days", "status", "approver_role", "decided_by")
    list_filter = ("status", "kind", "approver_role", "touches_holiday")
    search_fields = ("person__username", "person__display_name", "reason")
    date_hierarchy = "start_at"
    list_select_related = ("person", "decided_by")


@admin.register(models.AnnualLeaveEntitlement)
class AnnualLeaveEntitlementAdmin(ReadOnlyAdmin):
    list_display = ("person", "year", "days")
    list_filter = ("year",)
    search_fields = ("person__username", "person__display_name")


@admin.register(models.Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ("person", "shift", "check_in_at", "check_out_at", "late_minutes", "absent", "recorded_by")
    list_filter = ("absent",)
    search_fields = ("person__username", "person__display_name")
    list_select_related = ("person", "shift", "recorded_by")


@admin.register(models.Violation)
class ViolationAdmin(ReadOnlyAdmin):
    list_display = ("person", "kind", "rule", "at", "recorded_by")
    list_filter = ("kind", "rule")
    search_fields = ("person__username", "person__display_name", "evidence")
    date_hierarchy = "at"
    list_select_related = ("person", "recorded_by")


@admin.register(models.Level)
class LevelAdmin(ReadOnlyAdmin):
    list_display = ("rank", "code", "name", "base_pay", "min_months", "clean_months", "min_score", "approver_role")
    ordering = ("rank",)


@admin.register(models.WorkerProfile)
class WorkerProfileAdmin(ReadOnlyAdmin):
    list_display = ("person", "level", "hired_on", "skills", "max_shifts_per_week")
    list_filter = ("level",)
    search_fields = ("person__username", "person__display_name")
    list_select_related = ("person", "level")


@admin.register(models.AssessmentScore)
class AssessmentScoreAdmin(ReadOnlyAdmin):
    list_display = ("person", "month", "score", "source", "entered_by")
    list_filter = ("source",)
    search_fields = ("person__username", "person__display_name")


@admin.register(models.LevelApplication)
class LevelApplicationAdmin(ReadOnlyAdmin):
    list_display = ("person", "from_level", "level", "status", "created_at", "decided_by")
    list_filter = ("status", "level")
    search_fields = ("person__username", "person__display_name")


@admin.register(models.Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    list_display = ("approver", "delegate", "start_at", "end_at", "revoked")
    list_filter = ("revoked",)
    search_fields = ("approver__username", "delegate__username")


@admin.register(models.RollCallMark)
class RollCallMarkAdmin(ReadOnlyAdmin):
    list_display = ("shift", "status", "marked_by", "marked_at")
    list_filter = ("status",)


@admin.register(models.DutyLogEntry)
class DutyLogEntryAdmin(ReadOnlyAdmin):
    list_display = ("team", "author", "at")
    list_filter = ("team",)
    search_fields = ("text",)


@admin.register(models.Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ("author", "outgoing_shift", "incoming_shift", "status", "created_at")
    list_filter = ("status",)


@admin.register(models.ShiftSwap)
class ShiftSwapAdmin(ReadOnlyAdmin):
    list_display = ("requester", "counterpart", "shift", "with_shift", "status", "paid_back", "created_at")
    list_filter = ("status", "paid_back")
    search_fields = ("requester__username", "counterpart__username", "reason")


@admin.register(models.AwayPeriod)
class AwayPeriodAdmin(ReadOnlyAdmin):
    list_display = ("person", "start_at", "end_at", "reason", "violation")
    search_fields = ("person__username", "person__display_name")


@admin.register(models.PlanProposal)
class PlanProposalAdmin(ReadOnlyAdmin):
    list_display = ("team", "week_start", "status", "progress", "message", "requested_by", "created_at")
    list_filter = ("status", "team")


@admin.register(models.CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ("person", "created_at")
    exclude = ("token",)  # the secret address is the person's
