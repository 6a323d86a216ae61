from django.urls import path

from kefu.announcements import views

app_name = "announcements"
urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("new/", views.announcement_create, name="create"),
    path("banner/", views.banner, name="banner"),
    path("<int:announcement_id>/", views.announcement_detail, name="detail"),
    path("<int:announcement_id>/confirm/", views.confirm, name="confirm"),
    path("<int:announcement_id>/withdraw/", views.withdraw, name="withdraw"),
]
