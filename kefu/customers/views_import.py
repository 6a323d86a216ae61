"""Placeholder: import/export pages are being written (R-CUS-11)."""

from django.http import HttpResponse


def import_start(request):
    return HttpResponse("todo")


def import_template(request):
    return HttpResponse("todo")


def import_status(request, job_id):
    return HttpResponse("todo")


def export(request):
    return HttpResponse("todo")
