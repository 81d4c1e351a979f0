"""Abstract models shared by the apps' records."""

from __future__ import annotations

from django.db import models

from .models import user_link


class EnteredRecord(models.Model):
    """A record somebody enters by hand (a meeting, a recruitment case): who entered it (录入人),
    when it was created and when it last changed."""

    created_by = user_link("录入人")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
