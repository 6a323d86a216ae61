"""Knowledge base API (R-TIC-9), mounted at /api/v1/knowledge."""


import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kefu.core.api import ErrorOut, Id, PageNumber, Position, Version
from kefu.knowledge import selectors, services
from kefu.knowledge.models import Article, ArticleVersion

router = Router(tags=["knowledge"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _username(user) -> str | None:
    return user.username if user is not None else None


class CategoryOut(Schema):
    id: int
    name: str
    parent: int | None
    position: int
    version: int

    @staticmethod
    def resolve_parent(obj) -> int | None:
        return obj.parent_id


class CategoryIn(Schema):
    name: str = Field(..., max_length=100)
    parent: Id | None = None
    position: Position = 0


class ArticleOut(Schema):
    id: int
    title: str
    category: int
    category_name: str
    status: str
    current_version: int | None = Field(None, description="Number of the approved version in force")
    body: str | None = Field(None, description="Text of the approved version; null before the first approval")
    keywords: list[str]
    use_count: int
    version: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_category(obj) -> int:
        return obj.category_id

    @staticmethod
    def resolve_category_name(obj) -> str:
        return obj.category.name

    @staticmethod
    def resolve_current_version(obj) -> int | None:
        return obj.current_version.number if obj.current_version_id else None

    @staticmethod
    def resolve_body(obj) -> str | None:
        return obj.current_version.body if obj.current_version_id else None

    @staticmethod
    def resolve_keywords(obj) -> list[str]:
        return obj.current_version.keyword_list if obj.current_version_id else []


class VersionOut(Schema):
    number: int
    status: str
    title: str
    body: str
    keywords: list[str]
    change_note: str
    created_by: str | None
    created_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None
    review_note: str

    @staticmethod
    def resolve_keywords(obj: ArticleVersion) -> list[str]:
        return obj.keyword_list

    @staticmethod
    def resolve_created_by(obj: ArticleVersion) -> str | None:
        return _username(obj.created_by)

    @staticmethod
    def resolve_approved_by(obj: ArticleVersion) -> str | None:
        return _username(obj.approved_by)


class ArticleDetailOut(ArticleOut):
    created_by: str | None
    open_version: int | None = Field(None, description="Number of the draft or pending version, if any")
    versions: list[VersionOut]

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return _username(obj.created_by)

    @staticmethod
    def resolve_open_version(obj) -> int | None:
        return obj.open_version_number

    @staticmethod
    def resolve_versions(obj) -> list[ArticleVersion]:
        return obj.visible_versions


class ArticleIn(Schema):
    category: Id
    title: str = Field(..., max_length=200)
    body: str
    keywords: list[str] | str = []
    change_note: str = ""
    submit: bool = Field(True, description="false keeps version 1 as a draft instead of sending it for approval")


class VersionIn(Schema):
    version: Version
    title: str = Field(..., max_length=200)
    body: str
    keywords: list[str] | str = []
    change_note: str = ""
    submit: bool = True
    category: Id | None = None


class ApproveIn(Schema):
    version_number: Position
    version: Version | None = None


class RejectIn(Schema):
    version_number: Position
    reason: str
    version: Version | None = None


class RetireIn(Schema):
    version: Version
    reason: str = ""


class SubmitIn(Schema):
    version: Version


class UseOut(Schema):
    id: int
    use_count: int


class ArticleFilters(Schema):
    q: str = ""
    category: str = ""
    status: str = ""
    insertable: bool = False


def _detail(request, article: Article) -> Article:
    """The article as ArticleDetailOut reads it: fresh, with the versions the caller may see."""
    article = selectors.for_list(Article.objects.filter(pk=article.pk)).get()
    article.visible_versions = selectors.article_versions(request.user, article)
    article.open_version_number = next(
        (v.number for v in article.visible_versions if v.status in services.OPEN), None)
    return article


@router.get("/categories", response={200: list[CategoryOut], **ERRORS})
@paginate(PageNumber)
def list_categories(request):
    return selectors.categories_for(request.user)


@router.post("/categories", response={201: CategoryOut, **ERRORS})
def create_category(request, payload: CategoryIn):
    category = services.create_category(actor=request.user, name=payload.name, parent_id=payload.parent,
                                        position=payload.position)
    return Status(201, category)


@router.get("/articles", response={200: list[ArticleOut], **ERRORS})
@paginate(PageNumber)
def list_articles(request, filters: Query[ArticleFilters]):
    """Chinese word search: every word of ``q`` must be a word of the reply ("退款" finds "申请退款的流程");
    ranked by words found in the title, then by use. ``insertable=true`` keeps approved replies only."""
    return selectors.search_articles(request.user, filters.q, filters.category or None,
                                     insertable=filters.insertable, status=filters.status)


@router.post("/articles", response={201: ArticleDetailOut, **ERRORS})
def create_article(request, payload: ArticleIn):
    article = services.create_article(actor=request.user, category_id=payload.category, title=payload.title,
                                      body=payload.body, keywords=payload.keywords, change_note=payload.change_note,
                                      submit=payload.submit)
    return Status(201, _detail(request, article))


@router.get("/articles/{article_id}", response={200: ArticleDetailOut, **ERRORS})
def get_article(request, article_id: Id):
    return _detail(request, selectors.access_article(request.user, article_id))


@router.post("/articles/{article_id}/versions", response={201: ArticleDetailOut, **ERRORS})
def propose_version(request, article_id: Id, payload: VersionIn):
    services.propose_version(actor=request.user, article_id=article_id, version=payload.version,
                             title=payload.title, body=payload.body, keywords=payload.keywords,
                             change_note=payload.change_note, submit=payload.submit, category_id=payload.category)
    return Status(201, _detail(request, selectors.access_article(request.user, article_id)))


@router.post("/articles/{article_id}/submit", response={200: ArticleDetailOut, **ERRORS})
def submit_version(request, article_id: Id, payload: SubmitIn):
    services.submit_version(actor=request.user, article_id=article_id, version=payload.version)
    return _detail(request, selectors.access_article(request.user, article_id))


@router.post("/articles/{article_id}/approve", response={200: ArticleDetailOut, **ERRORS})
def approve(request, article_id: Id, payload: ApproveIn):
    article = services.approve(actor=request.user, article_id=article_id, version_number=payload.version_number,
                               version=payload.version)
    return _detail(request, article)


@router.post("/articles/{article_id}/reject", response={200: ArticleDetailOut, **ERRORS})
def reject(request, article_id: Id, payload: RejectIn):
    services.reject(actor=request.user, article_id=article_id, version_number=payload.version_number,
                    reason=payload.reason, version=payload.version)
    return _detail(request, selectors.access_article(request.user, article_id))


@router.post("/articles/{article_id}/retire", response={200: ArticleDetailOut, **ERRORS})
def retire(request, article_id: Id, payload: RetireIn):
    article = services.retire(actor=request.user, article_id=article_id, version=payload.version,
                              reason=payload.reason)
    return _detail(request, article)


@router.post("/articles/{article_id}/use", response={200: UseOut, **ERRORS})
def record_use(request, article_id: Id):
    """Count one insertion of the approved text into a reply (the reply picker calls this)."""
    return {"id": article_id, "use_count": services.record_use(actor=request.user, article_id=article_id)}
