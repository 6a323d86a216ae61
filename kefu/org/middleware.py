from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.utils import translation
from django.utils.cache import patch_vary_headers


def language_for(request) -> str:
    """The person's saved language, else the one chosen on the login page (cookie), else the
    organisation default. The browser's Accept-Language is ignored on purpose: Chinese is the
    default whatever the machine's locale (R-I18N)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language:
        return user.language
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in dict(settings.LANGUAGES):
        return chosen
    return settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _adopt_legacy_session(request)
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


def _adopt_legacy_session(request) -> None:
    """A session logged in before ``kefu.org.backends.UserWithRolesBackend`` was installed names Django's
    ``ModelBackend``, which is no longer listed: it is moved to its subclass (same passwords, same person)
    instead of being logged out. Runs before ``request.user`` is first read."""
    from kefu.org.backends import LEGACY_BACKEND

    session = getattr(request, "session", None)
    if session is not None and session.get(BACKEND_SESSION_KEY) == LEGACY_BACKEND:
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
