"""Team model aliases (LiteLLM_ModelTable), written as /team/update writes `model_aliases`
(team_endpoints.py::_update_model_table): the team's ModelTable row (TeamTable.model_id, a
serial id) is created when the team has none, else updated in place ("upsert" on its id), with
created_by/updated_by the caller's user_id or the proxy admin id; the team row then points at
it and carries the audit row of the team update (LiteLLM_TeamTable, updated_values holding
model_aliases and model_id)."""

from __future__ import annotations

from django.db import connections

from accounts.models import TeamTable
from config import writes
from config.errors import ChangeRefused

from .models import ModelTable
from .selectors import as_dict


def team_aliases(team) -> dict:
    if not team.model_id:
        return {}
    row = ModelTable.objects.filter(id=team.model_id).first()
    return {str(k): str(v) for k, v in as_dict(row.aliases if row else None).items()}


def _next_id() -> int:
    table = ModelTable._meta.db_table
    with connections["litellm"].cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [connections["litellm"].ops.quote_name(table)]
        )
        return cursor.fetchone()[0]


def set_team_aliases(*, actor: writes.Actor, team_id: str, aliases: dict) -> bool:
    """Returns whether anything changed."""
    with writes.atomic():
        rows = writes.lock_rows(TeamTable, team_id=team_id)
        if not rows:
            raise ChangeRefused("This team no longer exists.")
        team = rows[0]
        if team_aliases(team) == aliases:
            return False
        before = writes.snapshot(team)
        who = writes.writer_id(actor)
        model_id = team.model_id
        if model_id and ModelTable.objects.filter(id=model_id).exists():
            writes.update_row(
                ModelTable, model_id, {"aliases": aliases, "updated_by": who, "updated_at": writes.now_utc()}
            )
        else:
            model_id = _next_id()
            writes.insert_row(ModelTable, {"id": model_id, "aliases": aliases, **writes.stamps(actor, created=True)})
        changed = {"model_id": model_id, "updated_at": writes.now_utc()}
        writes.update_row(TeamTable, team_id, changed)
        writes.audit(
            actor, writes.UPDATED, "TeamTable", team_id, before, {"model_aliases": aliases, "model_id": model_id}
        )
    return True
