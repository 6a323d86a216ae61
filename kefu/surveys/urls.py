from django.urls import path

from kefu.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_new, name="new"),
    path("<int:survey_id>/", views.survey_detail, name="detail"),
    path("<int:survey_id>/edit/", views.survey_edit, name="edit"),
    path("<int:survey_id>/round/", views.send_round, name="send_round"),
    path("<int:survey_id>/close/", views.close, name="close"),
    path("<int:survey_id>/links.csv", views.links_csv, name="links_csv"),
    path("s/<str:token>/", views.answer, name="answer"),
]
