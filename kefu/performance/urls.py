from django.urls import path

from kefu.performance import views

app_name = "performance"
urlpatterns = [
    path("daily-log/", views.daily_log, name="daily_log"),
    path("daily-logs/", views.team_logs, name="team_logs"),
    path("daily-logs/<int:log_id>/help/", views.handle_help, name="handle_help"),
    path("kpi/", views.kpi_dashboard, name="kpi"),
]

from kefu.performance import views_reports  # noqa: E402 - reports (R-KPI-2)

urlpatterns += [
    path("reports/", views_reports.index, name="reports"),
    path("reports/daily/", views_reports.report_daily, name="report_daily"),
    path("reports/weekly/", views_reports.report_weekly, name="report_weekly"),
    path("reports/monthly/", views_reports.report_monthly, name="report_monthly"),
    path("reports/snapshots/<int:snapshot_id>/status/", views_reports.report_status, name="report_status"),
    path("reports/snapshots/<int:snapshot_id>/publish/", views_reports.report_publish, name="report_publish"),
]

from kefu.performance import views_wallboard  # noqa: E402 - the live wallboard (大屏)

urlpatterns += [path("wallboard/", views_wallboard.wallboard_page, name="wallboard")]

from kefu.performance import views_targets  # noqa: E402 - KPI targets per team and the assessment weights

urlpatterns += [
    path("kpi/targets/", views_targets.kpi_targets, name="kpi_targets"),
    path("kpi/weights/", views_targets.assessment_weights, name="weights"),
]
