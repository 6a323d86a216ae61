from django.urls import path

from kefu.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("badge/", views.badge, name="badge"),
    path("menu/", views.menu, name="menu"),
    path("read/", views.mark_read, name="read"),
    path("<int:notification_id>/", views.open_notification, name="open"),
]
