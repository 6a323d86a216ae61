from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind a reverse proxy, the proxy must set REMOTE_ADDR correctly
    (e.g. gunicorn's --forwarded-allow-ips); X-Forwarded-For is not trusted blindly."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
