"""Knowledge base pages (R-TIC-9): list with category tree and Chinese word search, detail with
version history and diff, propose/edit forms, the heads' approval queue (HTMX), retire, and the reply
picker fragment the ticket page embeds. Thin: parse, call a service or selector, render.

Answers: 200 done, 422 invalid or refused by a rule, 403 not allowed, 404 outside the scope,
409 stale version (the object changed since the page was read)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.errors import NotAllowed, NotFound, ServiceError, page_status
from kefu.core.forms import apply_service_error
from kefu.knowledge import selectors, services
from kefu.knowledge.access import is_writer, may_approve
from kefu.knowledge.diff import version_diff
from kefu.knowledge.forms import ArticleForm, CategoryForm, RejectForm, RetireForm, SearchForm
from kefu.knowledge.models import Article, ArticleVersion

PAGE_SIZE = 25
PICKER_LIMIT = 10


def _fetch(request, article_id: int) -> Article:
    """The article the caller may read, with what its pages show; 404 outside the scope."""
    try:
        return selectors.article_for_page(request.user, article_id)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None



def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- list ------------------------------------------------------------------------------------------

def _tree(categories, selected: int | None) -> list:
    """Categories in tree order with their depth, for the side bar."""
    by_parent: dict = {}
    for c in categories:
        by_parent.setdefault(c.parent_id, []).append(c)
    known = {c.pk for c in categories}
    out = []

    def walk(parent_id, depth):
        for c in by_parent.get(parent_id, []):
            c.depth = depth
            c.selected = c.pk == selected
            out.append(c)
            walk(c.pk, depth + 1)

    walk(None, 0)
    for parent_id in [p for p in by_parent if p is not None and p not in known]:
        walk(parent_id, 0)
    return out


@login_required
def article_list(request):
    user = request.user
    categories = selectors.categories_with_counts(user)
    form = SearchForm(request.GET or None, categories=categories, show_status=is_writer(user))
    q = category = status = ""
    if form.is_valid():
        q = form.cleaned_data["q"]
        category = form.cleaned_data["category"]
        status = form.cleaned_data.get("status") or ""
    results = selectors.search_articles(user, q, category or None, status=status)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form, "page": page, "q": q, "tree": _tree(categories, _int(category)),
        "category": _int(category), "can_write": is_writer(user), "can_approve": may_approve(user),
        "pending_count": selectors.pending_count(user),
        "category_form": CategoryForm(categories=categories) if is_writer(user) else None,
    }
    template = "knowledge/list.html#results" if request.headers.get("HX-Target") == "knowledge-results" \
        else "knowledge/list.html"
    return render(request, template, context)


@login_required
@require_POST
def category_create(request):
    categories = selectors.categories_for(request.user)
    form = CategoryForm(request.POST, categories=categories)
    if form.is_valid():
        data = form.cleaned_data
        try:
            category = services.create_category(actor=request.user, name=data["name"],
                                                parent_id=_int(data["parent"]), position=data["position"] or 0)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.detail)) from None
        except ServiceError as exc:
            messages.error(request, "; ".join([str(e.message) for e in exc.errors] or [str(exc.detail)]))
        else:
            messages.success(request, _("Category %(name)s created.") % {"name": category.name})
    else:
        messages.error(request, _("The category could not be saved."))
    return redirect("knowledge:list")


# -- detail ----------------------------------------------------------------------------------------

def _default_pair(versions: list[ArticleVersion], current: ArticleVersion | None, open_version):
    """Which versions the detail page compares by default: the open proposal against the version in
    force, else the version in force against the approved one before it."""
    new = open_version or current or (versions[0] if versions else None)
    if new is None:
        return None, None
    if current is not None and current.number != new.number:
        return current, new
    older = [v for v in versions if v.number < new.number]
    approved = [v for v in older if v.status == ArticleVersion.Status.APPROVED]
    return (approved or older or [None])[0], new


def _detail_context(request, article: Article, *, edit_form=None, reject_form=None, retire_form=None) -> dict:
    user = request.user
    versions = selectors.article_versions(user, article)
    by_number = {v.number: v for v in versions}
    current = by_number.get(article.current_version_id and article.current_version.number)
    open_version = next((v for v in versions if v.status in services.OPEN), None)
    old, new = _default_pair(versions, current, open_version)
    asked_old, asked_new = _int(request.GET.get("old")), _int(request.GET.get("new"))
    if asked_new in by_number:
        new = by_number[asked_new]
        old = by_number.get(asked_old) if asked_old is not None else next(
            (v for v in versions if v.number < new.number), None)
    elif asked_old in by_number and new is not None:
        old = by_number[asked_old]
    can_approve = may_approve(user)
    return {
        "article": article,
        "versions": versions,
        "current": current,
        "open_version": open_version,
        "diff": version_diff(old, new) if new is not None else None,
        "can_approve": can_approve,
        "can_submit": bool(open_version and open_version.status == ArticleVersion.Status.DRAFT
                           and (open_version.created_by_id == user.pk or is_writer(user))),
        "can_retire": can_approve and article.status != Article.Status.RETIRED,
        "reject_form": reject_form or RejectForm(),
        "retire_form": retire_form or RetireForm(),
    }


@login_required
def article_detail(request, article_id: int):
    article = _fetch(request, article_id)
    return render(request, "knowledge/detail.html", _detail_context(request, article))


# -- create and edit -------------------------------------------------------------------------------

@login_required
def article_create(request):
    categories = selectors.categories_for(request.user)
    form = ArticleForm(request.POST or None, categories=categories,
                       initial={"category": request.GET.get("category", "")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                article = services.create_article(
                    actor=request.user, category_id=_int(data["category"]), title=data["title"], body=data["body"],
                    keywords=data["keywords"], change_note=data["change_note"], submit="save_draft" not in request.POST)
            except ServiceError as exc:
                apply_service_error(form, exc, request)
                status = page_status(exc)
            else:
                messages.success(request, _("Standard reply saved. It is used in replies once a department head "
                                            "approves it.") if article.status == Article.Status.PENDING
                                 else _("Draft saved."))
                return redirect("knowledge:detail", article_id=article.pk)
        else:
            status = 422
    return render(request, "knowledge/form.html", {"form": form, "title": _("New standard reply")}, status=status)


@login_required
def article_edit(request, article_id: int):
    """Propose a new version: the approved text stays in force until a head approves it."""
    article = _fetch(request, article_id)
    base = selectors.open_version(request.user, article) or article.current_version or \
        next(iter(selectors.article_versions(request.user, article)), None)
    initial = {"category": str(article.category_id), "version": article.version}
    if base is not None:
        initial.update(title=base.title, body=base.body, keywords=", ".join(base.keyword_list))
    form = ArticleForm(request.POST or None, categories=selectors.categories_for(request.user), initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                new = services.propose_version(
                    actor=request.user, article_id=article.pk, version=data["version"], title=data["title"],
                    body=data["body"], keywords=data["keywords"], change_note=data["change_note"],
                    submit="save_draft" not in request.POST, category_id=_int(data["category"]))
            except NotFound as exc:
                raise Http404(str(exc.detail)) from None
            except ServiceError as exc:
                apply_service_error(form, exc, request)
                status = page_status(exc)
            else:
                messages.success(request, _("Version %(n)s sent for approval. The approved text stays in use "
                                            "until a department head approves it.") % {"n": new.number}
                                 if new.status == ArticleVersion.Status.PENDING
                                 else _("Version %(n)s saved as a draft.") % {"n": new.number})
                return redirect("knowledge:detail", article_id=article.pk)
        else:
            status = 422
    return render(request, "knowledge/form.html",
                  {"form": form, "article": article, "base": base,
                   "title": _("New version of %(title)s") % {"title": article.title}}, status=status)


@login_required
@require_POST
def article_submit(request, article_id: int):
    article = _fetch(request, article_id)
    try:
        draft = services.submit_version(actor=request.user, article_id=article.pk,
                                        version=_int(request.POST.get("version")))
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None
    except ServiceError as exc:
        messages.error(request, str(exc.detail))
        return _detail_response(request, article, status=page_status(exc))
    messages.success(request, _("Version %(n)s sent for approval.") % {"n": draft.number})
    return redirect("knowledge:detail", article_id=article.pk)


def _detail_response(request, article: Article, *, status: int, **forms):
    article = _fetch(request, article.pk)  # fresh, after the refused change
    return render(request, "knowledge/detail.html", _detail_context(request, article, **forms), status=status)


@login_required
@require_POST
def article_retire(request, article_id: int):
    if not may_approve(request.user):
        raise PermissionDenied(_("Only a department head, the centre director or an administrator may do this."))
    article = _fetch(request, article_id)
    form = RetireForm(request.POST)
    if not form.is_valid():
        return _detail_response(request, article, status=422, retire_form=form)
    try:
        services.retire(actor=request.user, article_id=article.pk, version=_int(request.POST.get("version")),
                        reason=form.cleaned_data["reason"])
    except ServiceError as exc:
        apply_service_error(form, exc)
        messages.error(request, str(exc.detail))
        return _detail_response(request, article, status=page_status(exc), retire_form=form)
    messages.success(request, _("Standard reply retired: agents no longer find or insert it."))
    return redirect("knowledge:detail", article_id=article.pk)


# -- approvals -------------------------------------------------------------------------------------

def _require_approver(request) -> None:
    if not may_approve(request.user):
        raise PermissionDenied(_("Only a department head, the centre director or an administrator may do this."))


def _queue_row(version: ArticleVersion) -> ArticleVersion:
    version.diff = version_diff(version.article.current_version, version)
    return version


@login_required
def approvals(request):
    _require_approver(request)
    queue = [_queue_row(v) for v in selectors.approval_queue(request.user)]
    return render(request, "knowledge/approvals.html", {"queue": queue, "reject_form": RejectForm()})


def _decision(request, article_id: int, number: int, *, approve: bool):
    """HTMX (or plain POST from the detail page): approve or reject one pending version."""
    _require_approver(request)
    article = _fetch(request, article_id)
    form = RejectForm(request.POST) if not approve else None
    status = 200
    outcome = error = ""
    if form is not None and not form.is_valid():
        status = 422
        error = _("Say why the version is rejected.")
    else:
        try:
            if approve:
                services.approve(actor=request.user, article_id=article.pk, version_number=number,
                                 version=_int(request.POST.get("version")))
                outcome = "approved"
            else:
                services.reject(actor=request.user, article_id=article.pk, version_number=number,
                                reason=form.cleaned_data["reason"], version=_int(request.POST.get("version")))
                outcome = "rejected"
        except NotFound as exc:
            raise Http404(str(exc.detail)) from None
        except ServiceError as exc:
            status = page_status(exc)
            error = str(exc.detail)  # the rule id stays in the API body
            if form is not None:
                apply_service_error(form, exc)
    if not request.headers.get("HX-Request"):
        if status == 200:
            messages.success(request, _("Version %(n)s approved: agents now see and insert it.") % {"n": number}
                             if approve else _("Version %(n)s rejected.") % {"n": number})
            return redirect("knowledge:detail", article_id=article.pk)
        messages.error(request, error)
        return _detail_response(request, article, status=status, reject_form=form if not approve else None)
    version = selectors.queue_row(request.user, article, number)
    if version is None:
        raise Http404(_("This standard reply has no version %(n)s.") % {"n": number})
    return render(request, "knowledge/approvals.html#row",
                  {"v": _queue_row(version), "outcome": outcome, "reject_form": form or RejectForm(),
                   "row_error": error}, status=status)


@login_required
@require_POST
def approve(request, article_id: int, number: int):
    return _decision(request, article_id, number, approve=True)


@login_required
@require_POST
def reject(request, article_id: int, number: int):
    return _decision(request, article_id, number, approve=False)


# -- reply picker ----------------------------------------------------------------------------------

@login_required
def picker(request):
    """HTMX fragment: approved replies matching ?q=, each with a button inserting its text into the
    textarea whose id is ?target= (usage at the top of knowledge/picker.html)."""
    q = (request.GET.get("q") or "").strip()[:100]
    target = "".join(ch for ch in request.GET.get("target", "") if ch.isalnum() or ch in "-_:.")[:100]
    results = list(selectors.search_articles(request.user, q, request.GET.get("category") or None,
                                             insertable=True)[:PICKER_LIMIT])
    template = "knowledge/picker.html#results" if request.headers.get("HX-Target", "").startswith(
        "kb-picker-results") else "knowledge/picker.html"
    return render(request, template, {"results": results, "q": q, "target": target})


@login_required
@require_POST
def record_use(request, article_id: int):
    """The picker's insert button: count one use of an approved reply."""
    try:
        count = services.record_use(actor=request.user, article_id=article_id)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204)
    return JsonResponse({"id": article_id, "use_count": count})
