"""Quality inspection API (API.md, SPEC)."""

from ninja import Router

router = Router(tags=["quality"])
