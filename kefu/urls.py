from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path

from kefu.api import api
from kefu.home.views import home
from kefu.org import views as org_views


def healthz(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("", home, name="home"),
    path("login/", org_views.login_view, name="login"),
    path("logout/", org_views.logout_view, name="logout"),
    path("password/", org_views.password_change_view, name="password_change"),
    path("language/", org_views.set_language_view, name="set_language"),
    path("org/", include("kefu.org.urls")),
    path("audit/", include("kefu.audit.urls")),
    path("calendar/", include("kefu.bizcalendar.urls")),
    path("rules/", include("kefu.rules.urls")),
    path("customers/", include("kefu.customers.urls")),
    path("tickets/", include("kefu.tickets.urls")),
    path("notifications/", include("kefu.notifications.urls")),
    path("announcements/", include("kefu.announcements.urls")),
    path("knowledge/", include("kefu.knowledge.urls")),
    path("workforce/", include("kefu.workforce.urls")),
    path("quality/", include("kefu.quality.urls")),
    path("training/", include("kefu.training.urls")),
    path("surveys/", include("kefu.surveys.urls")),
    path("performance/", include("kefu.performance.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
]
