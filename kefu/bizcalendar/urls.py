from django.urls import path

from kefu.bizcalendar import views

app_name = "bizcalendar"
urlpatterns = [
    path("", views.days_view, name="days"),
    path("add/", views.add_view, name="add"),
    path("<str:date>/delete/", views.delete_view, name="delete"),
]
