from django.urls import path

from kefu.training import views

app_name = "training"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("courses/", views.courses, name="courses"),
    path("courses/<int:course_id>/", views.course, name="course"),
    path("courses/<int:course_id>/edit/", views.course_edit, name="course_edit"),
    path("courses/<int:course_id>/materials/", views.material_add, name="material_add"),
    path("courses/<int:course_id>/questions/", views.question_add, name="question_add"),
    path("courses/<int:course_id>/sessions/", views.session_add, name="session_add"),
    path("courses/<int:course_id>/assign/", views.assign, name="assign"),
    path("courses/<int:course_id>/start/", views.start, name="start"),
    path("materials/<int:material_id>/", views.material, name="material"),
    path("materials/<int:material_id>/remove/", views.material_remove, name="material_remove"),
    path("questions/<int:question_id>/retire/", views.question_retire, name="question_retire"),
    path("sessions/<int:session_id>/attendance/", views.attendance, name="attendance"),
    path("attempts/<int:attempt_id>/", views.exam, name="exam"),
]
