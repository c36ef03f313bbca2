"""Reads of API clients."""

from django.db.models import QuerySet

from api.models import ApiClient


def api_clients() -> QuerySet:
    return ApiClient.objects.select_related("owner", "owner__officer", "created_by").order_by(
        "revoked_at", "name", "pk"
    )
