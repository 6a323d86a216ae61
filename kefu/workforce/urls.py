from django.urls import path

from kefu.workforce import views
from kefu.workforce.views import planning as planning_views

app_name = "workforce"
urlpatterns = [
    path("roster/", views.roster, name="roster"),
    path("me/", views.my_schedule, name="my_schedule"),
    path("leave/new/", views.leave_new, name="leave_new"),
    path("leave/check/", views.leave_check, name="leave_check"),
    path("leave/<int:leave_id>/cancel/", views.leave_cancel, name="leave_cancel"),
    path("attendance/<str:action>/", views.attendance_button, name="attendance"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:leave_id>/<str:decision>/", views.decide, name="decide"),
    path("violations/", views.violations, name="violations"),
    # shift plan proposals, shift types, copying a week (issue 10)
    path("plan/", planning_views.plan, name="plan"),
    path("plan/<int:proposal_id>/", planning_views.plan_detail, name="plan_detail"),
    path("plan/<int:proposal_id>/progress/", planning_views.plan_progress, name="plan_progress"),
    path("plan/<int:proposal_id>/shifts/", planning_views.plan_shift_add, name="plan_shift_add"),
    path("plan/<int:proposal_id>/shifts/<int:shift_id>/remove/", planning_views.plan_shift_remove,
         name="plan_shift_remove"),
    path("plan/<int:proposal_id>/<str:action>/", planning_views.plan_action, name="plan_action"),
    path("shift-types/", planning_views.shift_type_new, name="shift_type_new"),
    path("shift-types/<int:shift_type_id>/toggle/", planning_views.shift_type_toggle, name="shift_type_toggle"),
    path("roster/copy/", planning_views.copy_week, name="copy_week"),
    path("roster/publish/", planning_views.publish_week, name="publish_week"),
    path("roster/staffing/", planning_views.staffing, name="staffing"),
]

# attendance board (issue 10, R-WFM-5)
from kefu.workforce.views import attendance as attendance_views  # noqa: E402

urlpatterns += [
    path("attendance-board/", attendance_views.attendance_board, name="attendance_board"),
]

# level ladder, delegation of approvals, medical certificates (issue 10, R-ORG-3, R-WFM-4)
from kefu.workforce.views import certificates as certificate_views  # noqa: E402
from kefu.workforce.views import delegation as delegation_views  # noqa: E402
from kefu.workforce.views import ladder as ladder_views  # noqa: E402

urlpatterns += [
    path("ladder/", ladder_views.ladder, name="ladder"),
    path("ladder/apply/", ladder_views.ladder_apply, name="ladder_apply"),
    path("ladder/scores/", ladder_views.ladder_score, name="ladder_score"),
    path("ladder/levels/<int:level_id>/", ladder_views.ladder_level, name="ladder_level"),
    path("ladder/<int:application_id>/<str:decision>/", ladder_views.ladder_decide, name="ladder_decide"),
    path("delegation/", delegation_views.delegation, name="delegation"),
    path("delegation/<int:delegation_id>/revoke/", delegation_views.delegation_revoke, name="delegation_revoke"),
    path("leave/<int:leave_id>/certificate/", certificate_views.certificate, name="certificate"),
]

# shift swaps (issue 10, R-WFM-3)
from kefu.workforce.views import swaps as swap_views  # noqa: E402

urlpatterns += [
    path("swaps/", swap_views.swaps, name="swaps"),
    path("swaps/check/", swap_views.swap_check, name="swap_check"),
    path("swaps/<int:swap_id>/<str:decision>/", swap_views.swap_decide, name="swap_decide"),
]

# roll call, duty log, handover, .ics feed (issue 10, R-WFM-1, R-WFM-2)
from kefu.workforce.views import feed as feed_views  # noqa: E402
from kefu.workforce.views import handover as handover_views  # noqa: E402
from kefu.workforce.views import rollcall as rollcall_views  # noqa: E402

urlpatterns += [
    path("rollcall/", rollcall_views.rollcall, name="rollcall"),
    path("rollcall/<int:shift_id>/mark/", rollcall_views.mark, name="rollcall_mark"),
    path("handover/", handover_views.handover, name="handover"),
    path("handover/duty-log/", handover_views.duty_log_new, name="duty_log_new"),
    path("handover/save/", handover_views.handover_save, name="handover_save"),
    path("handover/<int:handover_id>/<str:action>/", handover_views.handover_action, name="handover_action"),
    path("feed/<str:token>.ics", feed_views.feed_ics, name="feed"),
    path("me/calendar-feed/", feed_views.feed_block, name="feed_block"),
]
