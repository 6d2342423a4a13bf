"""The base of every LiteLLM model: unmanaged, routed to the `litellm` connection, and
tolerant of columns that only newer LiteLLM schemas have.

A column the live table lacks is deferred in every query and reads as None, so code can
ask `catalog().has_column(...)` and never meets "column does not exist". A full-row save()
is refused: it would overwrite the proxy's concurrent spend increments (DEVELOPERS.md,
rule 2). Writes go through config.writes instead.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from . import litellm

# Columns the proxy maintains; the console never writes them (config.writes enforces it).
PROXY_COUNTERS = frozenset({"spend", "model_spend", "total_spend", "last_active"})


class FullSaveForbidden(RuntimeError):
    pass


@models.Field.register_lookup
class AnyOf(models.Lookup):
    """`field__any=ids`: column = ANY(%s) with the ids as one array parameter. `__in` sends
    one placeholder per id, which Django builds and psycopg parses one by one: the keys CSV's
    label lookups (2,000 ids per batch, 50 batches) spent about a second there."""

    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [self.lhs.output_field.get_prep_value(v) for v in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, self.rhs]


class LiteLLMManager(models.Manager):
    def get_queryset(self):
        qs = super().get_queryset()
        absent = self.model.absent_field_names()
        return qs.defer(*absent) if absent else qs


class LiteLLMModel(models.Model):
    is_litellm_table: ClassVar[bool] = True
    # Columns added after the seed-era schema (migration 20250430193429): used where present.
    optional_columns: ClassVar[frozenset[str]] = frozenset()
    # Whole table only present on newer schemas.
    optional_table: ClassVar[bool] = False

    objects = LiteLLMManager()

    class Meta:
        abstract = True
        managed = False

    @classmethod
    def table_exists(cls) -> bool:
        return litellm.has_model_table(cls)

    @classmethod
    def has_column(cls, column: str) -> bool:
        return column in litellm.catalog().columns.get(cls._meta.db_table, {})

    @classmethod
    def absent_field_names(cls) -> list[str]:
        missing = set(litellm.missing_columns(cls))
        return [f.name for f in cls._meta.concrete_fields if f.column in missing]

    @classmethod
    def _absent_attnames(cls) -> tuple[str, ...]:
        """absent_field_names() as attnames, worked out once per model and catalog (from_db
        runs per row: 100,000 keys in a CSV)."""
        cat = litellm.catalog()
        cached = cls.__dict__.get("_absent_cache")
        if cached is None or cached[0] is not cat:
            attnames = tuple(cls._meta.get_field(name).attname for name in cls.absent_field_names())
            cached = (cat, attnames)
            cls._absent_cache = cached
        return cached[1]

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Absent columns read as None instead of triggering a refresh that would fail.
        for attname in cls._absent_attnames():
            instance.__dict__.setdefault(attname, None)
        return instance

    def save(self, *args, **kwargs):
        raise FullSaveForbidden(
            f"{type(self).__name__}.save() would rewrite every column, including the proxy's "
            "counters; use config.writes.update_row() with the changed fields."
        )

    def delete(self, *args, **kwargs):
        raise FullSaveForbidden("Delete LiteLLM rows through the services, which archive and audit.")


class DeletedArchive(LiteLLMModel):
    """LiteLLM's Deleted* archives (DeletedVerificationToken, DeletedTeamTable): a copy of the
    deleted row under a new id, stamped with who deleted it and when
    (persist_deleted_verification_tokens / the team delete path). Newer schemas only."""

    optional_table = True  # absent on the seed-era database
    id = models.TextField(primary_key=True)
    deleted_at = models.DateTimeField()
    deleted_by = models.TextField(null=True, blank=True)
    deleted_by_api_key = models.TextField(null=True, blank=True)
    litellm_changed_by = models.TextField(null=True, blank=True)

    class Meta(LiteLLMModel.Meta):
        abstract = True
