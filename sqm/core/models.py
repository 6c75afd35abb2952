"""Core records that belong to no business area."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last sign of life of the task workers, written by the periodic heartbeat task.

    Health checks read it to tell whether any worker is consuming the queue.
    """

    name = models.CharField(_("name"), max_length=64, primary_key=True)
    beat_at = models.DateTimeField(_("last beat"))
    beats = models.PositiveBigIntegerField(_("beats"), default=0)
    hostname = models.CharField(_("host"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class RateCounter(models.Model):
    """How many times a key (e.g. ``qr:device:<hash>`` or ``reset:<address>``) was used in one
    fixed time window. Kept in the database so every web process counts together, on SQLite as
    on PostgreSQL, with no cache server; old windows are swept daily."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rate counter")
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="core_ratecounter_window_unique")]
        indexes = [models.Index(fields=["window_start"], name="core_ratecounter_age_idx")]

    def __str__(self) -> str:
        return f"{self.key} {self.window_start:%Y-%m-%d %H:%M} {self.count}"
