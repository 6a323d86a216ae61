"""``{% detail_panel %}``: one collapsible action of the ticket page — ``{% action_panel %}``
(ticket_actions.py with tickets/_action_panel.html) written in Python, the same markup byte for byte
without rendering a template per panel (issue 13; kefu/tickets/tests/test_detail_html.py compares them).

    {% detail_panel name="escalate" icon="arrow-big-up-lines" title=_("Escalate") route="tickets:escalate" %}
      …the form's fields and buttons…
    {% enddetail_panel %}

renders the accordion item ``#act-<name>`` (open when the view's ``open_action`` is ``name``) holding a
form posted by HTMX to ``route`` for the ticket in the context (``data-testid="form-<name>"``, the CSRF
token and, unless ``versioned=False``, the ticket's version). Without ``route`` the body goes into a
plain panel (it holds forms of its own). ``due`` adds a "due …" badge; ``alpine`` an ``x-data``.
"""

from django import template
from django.template.base import token_kwargs
from django.template.defaultfilters import date as date_filter
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext

register = template.Library()
_CSRF = CsrfTokenNode()


@register.tag
def detail_panel(parser, token):
    bits = token.split_contents()[1:]
    kwargs = token_kwargs(bits, parser)
    if bits or "name" not in kwargs:
        raise template.TemplateSyntaxError("detail_panel takes name=… and other key=value arguments only")
    nodelist = parser.parse(("enddetail_panel",))
    parser.delete_first_token()
    return DetailPanelNode(kwargs, nodelist)


class DetailPanelNode(template.Node):
    def __init__(self, kwargs, nodelist):
        self.kwargs = kwargs
        self.nodelist = nodelist

    def render(self, context):
        p = {key: value.resolve(context) for key, value in self.kwargs.items()}
        name = esc(p["name"])
        is_open = context.get("open_action") == p["name"]
        due = p.get("due")
        badge = (f' <span class="badge bg-teal-lt ms-2">{esc(gettext("due"))} '
                 f'{esc(date_filter(localtime(due), "m-d H:i"))}</span>') if due else ""
        body = self.nodelist.render(context)
        html = [
            '<div class="accordion-item">\n          <h2 class="accordion-header"><button class="accordion-button',
            "" if is_open else " collapsed",
            f'" type="button" data-bs-toggle="collapse" data-bs-target="#act-{name}"><i class="ti ti-{esc(p.get("icon", ""))}'
            f' me-2"></i>{esc(p.get("title", ""))}{badge}</button></h2>\n'
            f'          <div id="act-{name}" class="accordion-collapse collapse{" show" if is_open else ""}"'
            ' data-bs-parent="#actions">\n            ',
        ]
        if p.get("route"):
            url = esc(reverse(p["route"], args=[context["ticket"].pk]))
            alpine = f' x-data="{esc(p["alpine"])}"' if p.get("alpine") else ""
            version = f'<input type="hidden" name="version" value="{esc(context["ticket"].version)}">' \
                if p.get("versioned", True) else ""
            html.append(f'<form class="accordion-body" method="post" action="{url}" hx-post="{url}" '
                        f'hx-target="#ticket-live" hx-swap="outerHTML" data-testid="form-{name}"{alpine}>\n'
                        f"              {_CSRF.render(context)}{version}\n              {body}\n            </form>")
        else:
            html.append(f'<div class="accordion-body">{body}</div>')
        html.append("\n          </div>\n        </div>\n")
        return mark_safe("".join(html))  # noqa: S308 - every value above is escaped; body is rendered markup
