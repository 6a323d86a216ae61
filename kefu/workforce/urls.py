from django.urls import path

from kefu.workforce import views

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
]

# attendance board (issue 10, R-WFM-5)
from kefu.workforce.views import attendance as attendance_views  # noqa: E402

urlpatterns += [
    path("attendance-board/", attendance_views.attendance_board, name="attendance_board"),
]
