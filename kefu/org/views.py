from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.errors import ServiceError, Throttled
from kefu.core.forms import apply_service_error
from kefu.org import selectors, services
from kefu.org.auth import authenticate_throttled
from kefu.org.forms import LoginForm, PasswordChangeForm, PeopleFilterForm


def _safe_next(request, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = authenticate_throttled(request, form.cleaned_data["username"], form.cleaned_data["password"])
        except Throttled as exc:
            form.add_error(None, exc.detail)
            status = 429
        else:
            if user is None:
                form.add_error(None, _("Wrong username or password."))
            else:
                login(request, user)
                return HttpResponseRedirect(_safe_next(request))
    return render(request, "org/login.html", {"form": form, "next": _safe_next(request, "")}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("login")


@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(actor=request.user, old_password=form.cleaned_data["old_password"],
                                     new_password=form.cleaned_data["new_password"])
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("home")
    return render(request, "org/password_change.html", {"form": form})


@require_POST
def set_language_view(request):
    """Switch 中文/English: saved on the person when logged in, else in a cookie (login page)."""
    from django.conf import settings

    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    response = HttpResponseRedirect(_safe_next(request, "/"))
    if request.user.is_authenticated:
        services.set_language(actor=request.user, language=language)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@login_required
def people_view(request):
    form = PeopleFilterForm(request.GET or None)
    people = selectors.people_in_scope(request.user)
    if form.is_valid():
        if q := form.cleaned_data.get("q"):
            people = people.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
        if role := form.cleaned_data.get("role"):
            people = people.filter(roles__role=role)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(request, "org/people.html", {"form": form, "page": page,
                                               "teams": selectors.teams_in_scope(request.user)})
