from django.urls import path

from kefu.quality import views, views_checks, views_summaries

app_name = "quality"
urlpatterns = [
    path("desk/", views.desk, name="desk"),
    path("desk/sample/", views.desk_sample, name="desk_sample"),
    path("review/<int:ticket_id>/", views.review_form, name="review_form"),
    path("review/<int:ticket_id>/total/", views.review_total, name="review_total"),
    path("reviews/<int:review_id>/", views.review_detail, name="review"),
    path("reviews/<int:review_id>/appeal/", views.appeal, name="appeal"),
    path("mine/", views.mine, name="mine"),
    path("team/", views.team, name="team"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:appeal_id>/decide/", views.decide, name="decide"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("scorecards/new/", views.scorecard_edit, name="scorecard_new"),
    path("scorecards/<int:family>/edit/", views.scorecard_edit, name="scorecard_edit"),
    path("calibration/", views.calibration, name="calibration"),
    path("calibration/<int:session_id>/", views.calibration_detail, name="calibration_detail"),
    path("checks/", views_checks.check_rules, name="checks"),
    path("summaries/", views_summaries.summaries, name="summaries"),
    path("summaries/<int:summary_id>/", views_summaries.summary, name="summary"),
]
