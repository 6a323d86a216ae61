from django.urls import path

from kefu.audit import views

app_name = "audit"
urlpatterns = [path("", views.events_view, name="events")]
