from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.knowledge.models import Article


def category_choices(categories, empty=None) -> list[tuple[str, str]]:
    """Categories in tree order, children indented under their parent."""
    by_parent: dict = {}
    for c in categories:
        by_parent.setdefault(c.parent_id, []).append(c)
    known = {c.pk for c in categories}
    out: list[tuple[str, str]] = [("", empty)] if empty is not None else []

    def walk(parent_id, depth):
        for c in by_parent.get(parent_id, []):
            out.append((str(c.pk), f"{'— ' * depth}{c.name}"))
            walk(c.pk, depth + 1)

    walk(None, 0)
    for parent_id in [p for p in by_parent if p is not None and p not in known]:
        walk(parent_id, 0)
    return out


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={
        "placeholder": _("Words, e.g. 退款 流程"), "type": "search", "autocomplete": "off"}))
    category = forms.ChoiceField(label=_("Category"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All")), *Article.Status.choices])

    def __init__(self, *args, categories=(), show_status=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(categories, empty=_("All"))
        if not show_status:
            del self.fields["status"]


class ArticleForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"))
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text of the reply"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=_("Exactly what an agent will insert into a reply."))
    keywords = forms.CharField(label=_("Keywords"), required=False, max_length=300,
                               help_text=_("Words customers use for this question; separate with commas."))
    change_note = forms.CharField(label=_("Change note"), required=False, max_length=300,
                                  help_text=_("What changed and why, e.g. the weekly case review it came from."))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(categories, empty="")


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), max_length=300)


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    parent = forms.ChoiceField(label=_("Parent category"), required=False)
    position = forms.IntegerField(label=_("Position"), required=False, min_value=0)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = category_choices(categories, empty=_("(top level)"))
