"""``{% sample_rows sample %}``: the rows of the inspector's desk sample (R-QA-2), built in one pass.

The desk shows every ticket drawn for the agents below quota (450 rows for 500 agents). Through template tags
(a ``{% for %}`` with the risk badges' ``{% if %}`` chain and a ``{% translate %}`` per badge) they cost
~40 ms of CPU a request (issue 11, bench/notes/quality.md); here a row is one string, and what repeats — the
risk badges, the type and channel labels, the agent's name — is escaped once per request. Same markup as
before (``data-testid="sample-row"``)."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _badges() -> dict[str, str]:
    return {
        "complaint": f'<span class="badge bg-red-lt">{escape(_("complaint"))}</span>',
        "low_satisfaction": f'<span class="badge bg-orange-lt">{escape(_("low satisfaction"))}</span>',
        "breached": f'<span class="badge bg-yellow-lt">{escape(_("time limit breached"))}</span>',
        "flagged": f'<span class="badge bg-pink-lt">{escape(_("flagged by the automatic checks"))}</span>',
        "reopened": f'<span class="badge bg-purple-lt">{escape(_("reopened"))}</span>',
    }


@register.simple_tag
def sample_rows(sample) -> SafeString:
    badges = _badges()
    none = '<span class="text-secondary">—</span>'
    review = escape(_("Review"))
    labels: dict[str, str] = {}
    names: dict[int, str] = {}
    rows = []
    for s in sample:
        ticket, quota = s["ticket"], s["quota"]
        name = names.get(quota.agent_id)
        if name is None:
            name = names[quota.agent_id] = escape(quota.name)
        kind, channel = ticket["get_type_display"], ticket["get_channel_display"]
        kind = labels.get(kind) or labels.setdefault(kind, escape(kind))
        channel = labels.get(channel) or labels.setdefault(channel, escape(channel))
        risks = " ".join(badges[r] for r in s["risks"]) + " " if s["risks"] else none
        rows.append(
            '\n            <tr data-testid="sample-row">\n'
            f'              <td><a href="{escape(ticket["url"])}">{escape(ticket["number"])}</a>'
            f'<div class="small text-secondary text-truncate" style="max-width: 18rem">{escape(ticket["title"])}'
            '</div></td>\n'
            f'              <td>{name}</td>\n'
            f'              <td class="text-nowrap">{kind}</td>\n'
            f'              <td class="text-nowrap">{channel}</td>\n'
            f'              <td>{risks}</td>\n'
            f'              <td><a class="btn btn-primary btn-sm" href="{escape(ticket["review_url"])}">{review}</a>'
            '</td>\n            </tr>')
    # every part escaped above: the texts by escape(), the badges built from escaped translations
    return mark_safe("".join(rows))  # noqa: S308
