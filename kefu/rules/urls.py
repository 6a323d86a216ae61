from django.urls import path

from kefu.rules import views

app_name = "rules"
urlpatterns = [
    path("", views.rule_list, name="list"),
    path("<str:key>/edit/", views.edit, name="edit"),
]
