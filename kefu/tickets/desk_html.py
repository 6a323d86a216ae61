"""The desk's rows and its filter controls written as HTML here, not through the template engine (issue 13:
the desk under 25 ms).

Django's templates spent ~0.2 ms on each desk row (some thirty variables looked up through the context, two
partials) and ~6 ms on the filter form (every option of every select rendered through a widget template):
a third of the desk's Python time. These functions write the same markup with f-strings; every value that
is not a constant of this module is escaped as the templates' autoescape does (``html.escape``, which is
what ``django.utils.html.escape`` calls). The rows' labels, texts and classes come from
``views_desk.decorate``; desk.html prints the results. ``tests/test_desk_speed_html.py`` compares them with
the template markup they replaced (rows) and with Django's own rendering of the form (controls)."""

from __future__ import annotations

import html

from django import forms
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from kefu.core.forms import style_widget


def _e(value) -> str:
    """The template's autoescape: a safe string as it is, anything else escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


_WORDS: dict[str, dict[str, str]] = {}


def words() -> dict[str, str]:
    """The words every row repeats, translated and escaped once per language (read only)."""
    language = translation.get_language()
    found = _WORDS.get(language)
    if found is None:
        found = _WORDS[language] = {key: _e(text) for key, text in {
            "owner": _("Owner"), "queue": _("Queue"), "claim": _("Claim"), "first_reply": _("1st reply"),
            "paused": _("paused"), "level": _("Escalation level"), "supervised": _("Supervised"),
            "late": _("resolved late"), "on_time": _("resolved on time")}.items()}
    return found


# -- rows -----------------------------------------------------------------------------------------------


def countdown(t, w: dict[str, str]) -> str:
    """The live countdown badge (kefu/tickets-desk.js ticks it), or how a finished ticket ended."""
    d = t.deadline
    if d is not None:
        paused = ' data-paused="1"' if d.paused else ""
        icon = "ti-player-pause" if d.paused else "ti-clock"
        first = f'<span class="me-1">{w["first_reply"]}</span>' if d.first else ""
        text = w["paused"] if d.paused else _e(d.text)
        return (f'<span class="badge {d.css} text-nowrap" data-countdown data-testid="countdown" '
                f'data-due="{_e(d.due_iso)}" data-warn="{_e(d.warn_iso)}" data-state="{_e(d.state)}"{paused} '
                f'title="{_e(d.title)}"><i class="ti {icon} me-1"></i>{first}'
                f'<span data-countdown-text>{text}</span></span>')
    if t.resolved_at:
        if t.late:
            return f'<span class="badge bg-red-lt">{w["late"]}</span>'
        return f'<span class="badge bg-green-lt">{w["on_time"]}</span>'
    return ""


def badges(t, w: dict[str, str]) -> str:
    """Status (with what a waiting ticket waits on), priority, escalation level, supervision."""
    waiting = f" · {_e(t.waiting_label)}" if t.waiting_label else ""
    out = (f'<span class="badge {t.status_css}" data-testid="status">{_e(t.status_label)}{waiting}</span>\n'
           f'<span class="badge {t.priority_css}">{_e(t.priority_label)}</span>')
    if t.level_label:
        out += (f'\n<span class="badge bg-red-lt" title="{w["level"]}"><i class="ti ti-arrow-big-up-lines me-1">'
                f'</i>{_e(t.level_label)}</span>')
    if t.supervised:
        out += f'\n<span class="badge bg-orange-lt"><i class="ti ti-eye me-1"></i>{w["supervised"]}</span>'
    return out


def list_row(t, w: dict[str, str], *, owner_column: bool) -> SafeString:
    """One row of the desk's ticket table."""
    if t.customer:
        customer = f'<i class="ti ti-user d-md-none me-1 text-secondary"></i>{_e(t.customer.name)}'
    else:
        customer = f'<span class="text-secondary">{_e(t.shown_phone or "—")}</span>'
    owner = ""
    if owner_column:
        who = _e(t.owner) if t.owner else f'<span class="badge bg-secondary-lt">{w["queue"]}</span>'
        owner = f'<td data-testid="owner" data-label="{w["owner"]}">{who}</td>'
    return SafeString(
        f'<tr>\n'
        f'            <td class="cell-ticket"><a href="{_e(t.url)}" class="fw-medium">'
        f'{_e(Truncator(t.title).chars(40))}</a>\n'
        f'              <div class="small text-secondary">{_e(t.number)} · {_e(t.type_label)} · '
        f'{_e(t.shop.name)}</div>\n'
        f'              <div class="small text-secondary">{_e(t.created_text)} · {_e(t.channel_label)}</div></td>\n'
        f'            <td class="cell-customer">{customer}</td>\n'
        f'            <td class="cell-state"><div class="d-flex flex-wrap gap-1">{countdown(t, w)} {badges(t, w)}'
        f'</div></td>\n'
        f'            {owner}\n'
        f'          </tr>')


def queue_row(t, w: dict[str, str], *, csrf_token: str) -> SafeString:
    """One unassigned ticket of the queue panel, with its "claim" button."""
    url = _e(t.url)
    return SafeString(
        f'<div class="list-group-item">\n'
        f'          <div class="d-flex align-items-start gap-2">\n'
        f'            <div class="flex-fill" style="min-width:0">\n'
        f'              <a href="{url}" class="fw-medium d-block text-truncate">{_e(t.title)}</a>\n'
        f'              <div class="small text-secondary">{_e(t.number)} · {_e(t.shop.name)} · '
        f'{_e(t.channel_label)}</div>\n'
        f'              <div class="mt-1 d-flex flex-wrap gap-1">{badges(t, w)} {countdown(t, w)}</div>\n'
        f'            </div>\n'
        f'            <form method="post" action="{url}claim/"><input type="hidden" name="csrfmiddlewaretoken" '
        f'value="{_e(csrf_token)}">\n'
        f'              <button class="btn btn-sm btn-primary" data-testid="claim-{t.pk}"><i class="ti ti-hand-grab '
        f'me-1"></i>{w["claim"]}</button>\n'
        f'            </form>\n'
        f'          </div>\n'
        f'        </div>')


# -- the tiles ------------------------------------------------------------------------------------------


def stat_tile(tile: dict) -> str:
    """components/stat_tile.html for one tile (views_desk._tile), as the include wrote it."""
    tone, url, value = tile["tone"], tile["url"], _e(tile["value"])
    status, avatar, number = "", "bg-secondary-lt", ""
    if tone == "danger":
        status, avatar, number = "bg-red", "bg-red text-white", " text-red"
    elif tone == "warning":
        status, avatar, number = "bg-yellow", "bg-yellow text-white", " text-yellow"
    bar = f'<div class="card-status-start {status}"></div>' if tone else ""
    shown = f'<a href="{_e(url)}" class="text-reset">{value}</a>' if url else value
    return (f'\n<div class="card card-sm stat-tile{f" stat-tile-{_e(tone)}" if tone else ""}" '
            f'data-testid="{_e(tile["testid"])}" data-tone="{_e(tone or "neutral")}">\n'
            f'  {bar}\n'
            f'  <div class="card-body">\n'
            f'    <div class="row align-items-center g-3">\n'
            f'      <div class="col-auto"><span class="avatar {avatar}"><i class="ti {_e(tile["icon"])}"></i></span></div>\n'
            f'      <div class="col" style="min-width:0">\n'
            f'        <div class="stat-value{number}">{shown}</div>\n'
            f'        <div class="text-secondary small text-truncate">{_e(tile["label"])}</div>\n'
            f'      </div>\n'
            f'    </div>\n'
            f'  </div>\n'
            f'</div>\n')


def tiles(items: list[dict]) -> SafeString:
    """The desk's row of tiles (desk.html's loop over components/stat_tile.html before, byte for byte)."""
    cells = "".join(f'\n  <div class="col-6 col-md-4 col-xl">{stat_tile(t)}</div>\n  ' for t in items)
    return SafeString(f"\n  {cells}\n")


# -- the filter form ------------------------------------------------------------------------------------


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(f" {name}" if value is True else f' {name}="{_e(value)}"'
                   for name, value in attrs.items() if value is not False)


def _fast_widget(bf) -> str | None:
    """A text input or a select of plain choices as Django's widget templates and TablerFormRenderer write
    it; None for any other widget (rendered by Django)."""
    widget = bf.field.widget
    kind = type(widget)
    if kind not in (forms.TextInput, forms.Select) or bf.help_text:
        return None
    attrs = {**widget.attrs, **bf.build_widget_attrs({})}
    if bf.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bf.auto_id)
    context = {"type": widget.input_type, "attrs": attrs}
    style_widget(context)  # the Tabler classes, exactly as on every other form
    value = widget.format_value(bf.value())
    if kind is forms.TextInput:
        shown = "" if value is None else f' value="{_e(value)}"'
        return f'<input type="{widget.input_type}" name="{bf.html_name}"{shown}{_attrs(context["attrs"])}>'
    options, chosen = [], False
    for code, label in widget.choices:
        if isinstance(label, list | tuple):
            return None  # option groups: Django's rendering
        selected = not chosen and str(code) in value
        chosen = chosen or selected
        options.append(f'\n  <option value="{_e(code)}"{" selected" if selected else ""}>{_e(label)}</option>')
    return f'<select name="{bf.html_name}"{_attrs(context["attrs"])}>{"".join(options)}\n</select>'


def form_controls(form, *, inline: bool = False) -> SafeString:
    """components/form.html for a form of text inputs and selects, without the template engine: the
    non-field errors on top, each field with its label, control, help and its own errors."""
    out = []
    errors = form.non_field_errors()
    if errors:
        out.append('<div class="alert alert-danger" role="alert" data-testid="form-errors">'
                   + "".join(f"<div>{_e(e)}</div>" for e in errors) + "</div>")
    out.extend(str(bf) for bf in form.hidden_fields())
    column = " col-6 col-md-4 col-xl-2" if inline else ""
    for bf in form.visible_fields():
        control = _fast_widget(bf)
        if control is None:
            control = str(bf)
        if bf.widget_type == "checkbox":
            head = f'<label class="form-check">{control}<span class="form-check-label">{_e(bf.label)}</span></label>'
        else:
            required = " required" if bf.field.required else ""
            head = (f'<label class="form-label{required}" for="{_e(bf.id_for_label)}">{_e(bf.label)}</label>\n'
                    f"  {control}")
        hint = f'\n  <small class="form-hint">{_e(bf.help_text)}</small>' if bf.help_text else ""
        problems = ""
        if bf.errors:
            problems = (f'\n  <div class="invalid-feedback d-block" id="{_e(bf.auto_id)}_error" '
                        f'data-field="{_e(bf.html_name)}">' + "".join(f"<div>{_e(e)}</div>" for e in bf.errors)
                        + "</div>")
        out.append(f'<div class="mb-3{column}">\n  {head}{hint}{problems}\n</div>')
    return SafeString("\n".join(out))


# The empty filter form's controls by (language, shops' codes and names, people's usernames and names): the same
# inputs give the same markup, so it is written once. Bounded: emptied when full (a centre has a few scopes).
_UNBOUND: dict[tuple, SafeString] = {}
UNBOUND_MAX = 512


def unbound_controls(key: tuple, write) -> SafeString:
    """``write()``'s controls for ``key``, written on the first call only."""
    found = _UNBOUND.get(key)
    if found is None:
        if len(_UNBOUND) >= UNBOUND_MAX:
            _UNBOUND.clear()
        found = _UNBOUND[key] = write()
    return found
