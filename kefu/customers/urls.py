from django.urls import path

from kefu.customers import views, views_import

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("my-day/", views.my_day, name="my_day"),
    path("team-due/", views.team_due, name="team_due"),
    path("pool/", views.pool_page, name="pool"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("churn/", views.churn_list, name="churn"),
    path("dashboard/recompute/", views.recompute_values, name="recompute_values"),
    path("reassign/", views.bulk_reassign, name="reassign"),
    path("import/", views_import.import_start, name="import"),
    path("import/template.xlsx", views_import.import_template, name="import_template"),
    path("import/<int:job_id>/", views_import.import_status, name="import_status"),
    path("export/", views_import.export, name="export"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<int:customer_id>/followup/", views.followup_create, name="followup"),
    path("<int:customer_id>/phones/", views.reveal_phones, name="phones"),
    path("<int:customer_id>/claim/", views.claim, name="claim"),
    path("<int:customer_id>/release/", views.release, name="release"),
    path("care/<int:task_id>/done/", views.care_done, name="care_done"),
]
