"""Announcements API, mounted at /api/v1/announcements."""

from ninja import Router

router = Router(tags=["announcements"])
