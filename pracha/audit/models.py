from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64
ACTOR_LABEL_LENGTH = 200


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: object) -> int:
        raise ImproperlyConfigured("Audit entries are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImproperlyConfigured("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One thing that happened. Append-only; each entry's hash covers the previous entry's hash.

    Actor and target are plain values (ids and labels), so the log outlives what it describes and this
    sink imports no domain app.
    """

    at = models.DateTimeField(_("time"))
    actor_id = models.CharField(_("actor id"), max_length=64, blank=True)
    actor_label = models.CharField(_("actor"), max_length=ACTOR_LABEL_LENGTH, blank=True)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=20)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.pk} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ImproperlyConfigured("Audit entries are append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ImproperlyConfigured("Audit entries are append-only.")


class AuditChainHead(models.Model):
    """A single row: the hash and count of the last entry. Locking it orders concurrent writers,
    and comparing it with the table catches entries cut off the end of the chain."""

    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    entry_count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.entry_count} entries"
