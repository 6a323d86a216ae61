"""Organisation tree (R-ORG-1): centre → departments → teams → people, and shops/brands."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import VersionedModel
from kefu.org.roles import Role


class Centre(VersionedModel):
    """客服中心: the organisation. Rule settings and the audit trail hang off it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")

    class Meta:
        verbose_name = _("centre")
        verbose_name_plural = _("centres")

    def __str__(self) -> str:
        return self.name


class Department(VersionedModel):
    class Kind(models.TextChoices):
        SERVICE = "service", _("Customer service")
        OTHER = "other", _("Other department (takes handed-over work)")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="departments", verbose_name=_("centre"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="uniq_department_name")]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Shop(VersionedModel):
    """店铺/品牌: customers and tickets belong to exactly one shop."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="shops", verbose_name=_("centre"))
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shop / brand")
        verbose_name_plural = _("shops / brands")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Team(VersionedModel):
    """班组: a team of one department; it can serve several shops."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="teams", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=100)
    shops = models.ManyToManyField(Shop, related_name="teams", blank=True, verbose_name=_("shops served"))

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="uniq_team_name")]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person of the organisation. Roles are rows of :class:`UserRole`."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name=_("centre")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="people",
        verbose_name=_("department"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members", verbose_name=_("team")
    )
    language = models.CharField(
        _("interface language"), max_length=10, blank=True,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        help_text=_("Empty means the organisation default (简体中文)."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_codes(self) -> frozenset[str]:
        """The person's roles, loaded once per object (prefetch ``roles`` to avoid a query)."""
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(r.role for r in self.roles.all())
            self._role_codes = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="uniq_user_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for integrations. Only a SHA-256 digest of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("person"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class LoginAttempt(models.Model):
    """Failed logins, counted for throttling (R-SEC). Audit rows record them too (R-AUD)."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip} {self.at:%Y-%m-%d %H:%M}"


def _structure_changed(sender, using: str = "default", **kwargs) -> None:
    """Teams, shops and the shops a team serves decide every scope: computed scopes are renewed."""
    from kefu.org.scope import structure_changed

    if kwargs.get("action", "post_").startswith("post_"):  # m2m_changed: once, after the change
        structure_changed(using=using)


for _model in (Department, Shop, Team):
    models.signals.post_save.connect(_structure_changed, sender=_model,
                                     dispatch_uid=f"kefu.org.structure.{_model.__name__}.saved")
    models.signals.post_delete.connect(_structure_changed, sender=_model,
                                       dispatch_uid=f"kefu.org.structure.{_model.__name__}.deleted")
models.signals.m2m_changed.connect(_structure_changed, sender=Team.shops.through,
                                   dispatch_uid="kefu.org.structure.team_shops")
