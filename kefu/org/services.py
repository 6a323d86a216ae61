"""State changes of the organisation (R-ORG-1, R-ORG-2). Every one is transactional and audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record, record_change, snapshot
from kefu.core.concurrency import bump_version, check_version
from kefu.core.errors import Errors, NotAllowed
from kefu.org.models import Centre, Department, Shop, Team, User, UserRole
from kefu.org.roles import Role


def _require_admin(actor: User) -> None:
    if not (actor.is_superuser or actor.has_role(Role.ADMIN)):
        raise NotAllowed(_("Only an administrator may change the organisation."))


@transaction.atomic
def ensure_centre(*, actor: User | None, name: str) -> Centre:
    centre, created = Centre.objects.get_or_create(name=name)
    if created:
        record(actor=actor, action=Action.CREATE, obj=centre, after=snapshot(centre))
    return centre


@transaction.atomic
def ensure_department(*, actor: User | None, centre: Centre, name: str, kind: str) -> Department:
    dept, created = Department.objects.get_or_create(centre=centre, name=name, defaults={"kind": kind})
    if created:
        record(actor=actor, action=Action.CREATE, obj=dept, after=snapshot(dept))
    return dept


@transaction.atomic
def ensure_shop(*, actor: User | None, centre: Centre, code: str, name: str) -> Shop:
    shop, created = Shop.objects.get_or_create(code=code, defaults={"centre": centre, "name": name})
    if created:
        record(actor=actor, action=Action.CREATE, obj=shop, after=snapshot(shop))
    return shop


@transaction.atomic
def ensure_team(*, actor: User | None, department: Department, name: str, shops: Iterable[Shop]) -> Team:
    team, created = Team.objects.get_or_create(department=department, name=name)
    wanted = {s.pk for s in shops}
    current = set(team.shops.values_list("pk", flat=True))
    if created:
        record(actor=actor, action=Action.CREATE, obj=team, after=snapshot(team))
    if wanted != current:
        team.shops.set(wanted)
        record(actor=actor, action=Action.UPDATE, obj=team,
               before={"shops": sorted(current)}, after={"shops": sorted(wanted)})
    return team


def _validate_placement(errors: Errors, *, department: Department | None, team: Team | None) -> None:
    if team is not None and department is not None and team.department_id != department.pk:
        errors.add("team", _("The team belongs to another department."))


@transaction.atomic
def create_person(
    *,
    actor: User | None,
    username: str,
    password: str,
    display_name: str = "",
    centre: Centre | None = None,
    department: Department | None = None,
    team: Team | None = None,
    roles: Iterable[str] = (),
    email: str = "",
) -> User:
    errors = Errors()
    if not username.strip():
        errors.add("username", _("A username is required."))
    elif User.objects.filter(username__iexact=username).exists():
        errors.add("username", _("This username is taken."))
    _validate_placement(errors, department=department, team=team)
    errors.raise_if_any(_("The person could not be created."))
    if department is None and team is not None:
        department = team.department
    if centre is None and department is not None:
        centre = department.centre
    person = User(username=username, display_name=display_name, centre=centre, department=department,
                  team=team, email=email)
    person.set_password(password)
    person.is_staff = Role.ADMIN in set(roles)
    person.save()
    UserRole.objects.bulk_create([UserRole(user=person, role=r) for r in sorted(set(roles))])
    record(actor=actor, action=Action.CREATE, obj=person,
           after={**snapshot(person), "roles": sorted(set(roles))})
    return person


@transaction.atomic
def set_roles(*, actor: User | None, person: User, roles: Iterable[str]) -> User:
    """Replace a person's roles. Administrators only (seeding passes ``actor=None``)."""
    if actor is not None:
        _require_admin(actor)
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        errors = Errors()
        errors.add("roles", _("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))})
        errors.raise_if_any(_("The roles could not be changed."))
    current = set(UserRole.objects.filter(user=person).values_list("role", flat=True))
    if wanted == current:
        return person
    UserRole.objects.filter(user=person).exclude(role__in=wanted).delete()
    UserRole.objects.bulk_create([UserRole(user=person, role=r) for r in sorted(wanted - current)])
    User.objects.filter(pk=person.pk).update(is_staff=Role.ADMIN in wanted)
    person._role_codes = frozenset(wanted)
    person.__dict__.pop("_kefu_scope", None)
    record(actor=actor, action=Action.UPDATE, obj=person,
           before={"roles": sorted(current)}, after={"roles": sorted(wanted)})
    return person


@transaction.atomic
def update_person(
    *, actor: User, person: User, version: int | None, display_name: str | None = None,
    email: str | None = None, department: Department | None = None, team: Team | None = None,
    is_active: bool | None = None,
) -> User:
    _require_admin(actor)
    person = User.objects.select_for_update().get(pk=person.pk)
    check_version(person, version)
    before = snapshot(person)
    errors = Errors()
    _validate_placement(errors, department=department or person.department, team=team)
    errors.raise_if_any(_("The person could not be changed."))
    for name, value in (("display_name", display_name), ("email", email), ("department", department),
                        ("team", team), ("is_active", is_active)):
        if value is not None:
            setattr(person, name, value)
    bump_version(person)
    person.save()
    record_change(actor=actor, obj=person, before=before)
    return person


@transaction.atomic
def set_language(*, actor: User, language: str) -> User:
    """A person's own interface language (R-I18N); empty means the organisation default."""
    if language not in {"", "zh-hans", "en"}:
        errors = Errors()
        errors.add("language", _("Unsupported language."))
        errors.raise_if_any(_("The language could not be changed."))
    before = actor.language
    if before != language:
        User.objects.filter(pk=actor.pk).update(language=language)
        actor.language = language
        record(actor=actor, action=Action.UPDATE, obj=actor, before={"language": before},
               after={"language": language})
    return actor


@transaction.atomic
def change_password(*, actor: User, old_password: str, new_password: str) -> User:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    errors = Errors()
    if not actor.check_password(old_password):
        errors.add("old_password", _("The current password is not correct."))
    try:
        validate_password(new_password, actor)
    except ValidationError as exc:
        for message in exc.messages:
            errors.add("new_password", message)
    errors.raise_if_any(_("The password was not changed."))
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    record(actor=actor, action=Action.UPDATE, obj=actor, note="password changed")
    return actor
