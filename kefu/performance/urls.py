from django.urls import path

from kefu.performance import views

app_name = "performance"
urlpatterns = [
    path("daily-log/", views.daily_log, name="daily_log"),
    path("daily-logs/", views.team_logs, name="team_logs"),
    path("daily-logs/<int:log_id>/help/", views.handle_help, name="handle_help"),
    path("kpi/", views.kpi_dashboard, name="kpi"),
]
