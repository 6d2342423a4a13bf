"""How groups are ranked and named: rounding and tie margins, labels for "none" and
"Other", how many series and rows are shown, and readable names for ids."""

from __future__ import annotations

NONE_LABEL = "(none)"


# Rankings compare spend rounded to 9 decimals, then the id: spend sums decimal costs, and
# float sums of equal costs added in another order differ in the last bit, which must not
# decide which of two equal groups is shown. Candidate floors leave TIE_MARGIN of room so no
# group that could tie is left out.
RANK_DIGITS = 9
TIE_MARGIN = 1e-6
OTHER_LABEL = "Other"


def rank_of(row) -> tuple:
    """Sort key of an (id, spend, ...) row: biggest rounded spend first, then by id."""
    return (-round(row[1], RANK_DIGITS), row[0])


MAX_SERIES = 8
TOP_N = 10


def labels(kind: str, ids) -> dict[str, str]:
    """Readable names for ids (team alias, user email, key alias): one query per kind."""
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    if kind == "teams":
        from accounts.models import TeamTable

        rows = TeamTable.objects.filter(team_id__in=ids).values_list("team_id", "team_alias")
        return {i: alias or i for i, alias in rows}
    if kind == "users":
        from accounts.models import UserTable

        rows = UserTable.objects.filter(user_id__in=ids).values_list("user_id", "user_email", "user_alias")
        return {i: email or alias or i for i, email, alias in rows}
    if kind == "keys":
        from keys.models import VerificationToken

        rows = VerificationToken.objects.filter(token__in=ids).values_list("token", "key_alias", "key_name")
        found = {token: alias or name or token[:12] for token, alias, name in rows}
        return {i: found.get(i, f"deleted key {i[:8]}…") for i in ids}
    return {}
