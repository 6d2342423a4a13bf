"""The team page's aliases card (accounts' views know nothing of this app)."""

from django import template

from deployments.aliases import team_aliases

register = template.Library()


@register.inclusion_tag("deployments/inc/team_aliases.html", takes_context=True)
def team_alias_card(context, team):
    principal = context.get("principal")
    return {
        "team": team,
        "aliases": sorted(team_aliases(team).items()),
        "can_edit": principal is not None and principal.can_edit_team_aliases(team),
    }
