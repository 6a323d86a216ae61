"""``{% action_panel %}``: one collapsible action of the ticket page, written once.

    {% action_panel name="escalate" icon="arrow-big-up-lines" title=_("Escalate") route="tickets:escalate" %}
      …the form's fields and buttons…
    {% endaction_panel %}

renders the accordion item ``#act-<name>`` (open when the view's ``open_action`` is ``name``) holding a
form posted by HTMX to ``route`` for the ticket in the context (``data-testid="form-<name>"``, the CSRF
token and, unless ``versioned=False``, the ticket's version). Without ``route`` the body goes into a
plain panel (it holds forms of its own). ``due`` adds a "due …" badge; ``alpine`` an ``x-data``.
"""

from django import template
from django.template.base import token_kwargs
from django.urls import reverse

register = template.Library()


@register.tag
def action_panel(parser, token):
    bits = token.split_contents()[1:]
    kwargs = token_kwargs(bits, parser)
    if bits or "name" not in kwargs:
        raise template.TemplateSyntaxError("action_panel takes name=… and other key=value arguments only")
    nodelist = parser.parse(("endaction_panel",))
    parser.delete_first_token()
    return ActionPanelNode(kwargs, nodelist)


class ActionPanelNode(template.Node):
    def __init__(self, kwargs, nodelist):
        self.kwargs = kwargs
        self.nodelist = nodelist

    def render(self, context):
        panel = {key: value.resolve(context) for key, value in self.kwargs.items()}
        panel.setdefault("versioned", True)
        panel["open"] = context.get("open_action") == panel["name"]
        if panel.get("route"):
            panel["url"] = reverse(panel["route"], args=[context["ticket"].pk])
        panel["body"] = self.nodelist.render(context)
        shell = context.template.engine.get_template("tickets/_action_panel.html")
        with context.push(panel=panel):
            return shell.render(context)
