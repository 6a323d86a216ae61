from django.urls import path

from kefu.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_create, name="create"),
    path("categories/new/", views.category_create, name="category_create"),
    path("approvals/", views.approvals, name="approvals"),
    path("picker/", views.picker, name="picker"),
    path("<int:article_id>/", views.article_detail, name="detail"),
    path("<int:article_id>/edit/", views.article_edit, name="edit"),
    path("<int:article_id>/submit/", views.article_submit, name="submit"),
    path("<int:article_id>/retire/", views.article_retire, name="retire"),
    path("<int:article_id>/use/", views.record_use, name="use"),
    path("<int:article_id>/versions/<int:number>/approve/", views.approve, name="approve"),
    path("<int:article_id>/versions/<int:number>/reject/", views.reject, name="reject"),
]
