"""The one permission layer: web views, the API and the admin all ask here.

A permission is a Django-style name ("inventory.change_application"). A user holds it over
the set of agencies reached by those memberships whose role grants it (see ``roles.py``).

* ``scope_queryset(user, perm, qs)`` narrows any queryset to the objects the user may act on;
* ``has_perm(user, perm, obj)`` checks one object (or, without obj, "anywhere at all");
* ``require(...)`` raises PermissionDenied.

Models say which agency owns a row with ``owner_field`` (a lookup path to an Agency, or
"id" for Agency itself). A model owned by a whole institution sets ``owner_kind =
"institution"`` and points ``owner_field`` at the Institution: holding the permission in any
agency of that institution covers it. Rows the user may not see are reported as "not found"
by callers, so that ids in another agency do not leak.

Some rights come from an assignment rather than a membership (an external assessor named on
one evaluation period). Modules register such rules with ``register_access_rule(model, rule)``;
``rule(user, perm)`` returns a Q of the extra rows, or None. The rule is ORed into the scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from .roles import DELEGATED_GRANTS, GRANTER_LEVEL, ROLE_GRANT_LEVEL, ROLE_REACH, STAFF_ROLES, GrantLevel, Reach, Role, role_grants


@dataclass(frozen=True)
class Scope:
    """The agencies over which a user holds one permission."""

    everything: bool
    agency_ids: frozenset[int]

    def covers(self, agency_id: int | None) -> bool:
        return self.everything or (agency_id is not None and agency_id in self.agency_ids)

    @property
    def empty(self) -> bool:
        return not self.everything and not self.agency_ids


NOTHING = Scope(False, frozenset())
EVERYTHING = Scope(True, frozenset())


def current_memberships(user) -> list:
    cache = getattr(user, "_spbe_memberships", None)
    if cache is None:
        from .models import Membership

        cache = [
            m
            for m in Membership.objects.filter(user_id=user.pk, is_active=True, agency__is_active=True)
            .select_related("agency")
            .order_by("id")
            if m.is_current()
        ]
        user._spbe_memberships = cache
    return cache


def forget_cached_scopes(user) -> None:
    """Drop per-request caches after memberships change."""
    for attr in ("_spbe_memberships", "_spbe_scopes"):
        if hasattr(user, attr):
            delattr(user, attr)


def user_scope(user, perm: str) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    scopes = getattr(user, "_spbe_scopes", None)
    if scopes is None:
        scopes = user._spbe_scopes = {}
    if perm in scopes:
        return scopes[perm]

    from .models import Agency

    everything = False
    agency_filter = Q(pk__in=[])
    for membership in current_memberships(user):
        if not role_grants(membership.role, perm):
            continue
        reach = ROLE_REACH[membership.role]
        if reach == Reach.GLOBAL:
            everything = True
            break
        if reach == Reach.INSTITUTION:
            agency_filter |= Q(institution_id=membership.agency.institution_id)
        else:
            agency_filter |= Q(path__startswith=membership.agency.path)
    if everything:
        scope = EVERYTHING
    else:
        ids = frozenset(Agency.objects.filter(agency_filter).values_list("id", flat=True))
        scope = Scope(False, ids)
    scopes[perm] = scope
    return scope


_ACCESS_RULES: dict[type, list] = {}


def register_access_rule(model: type, rule) -> None:
    _ACCESS_RULES.setdefault(model, []).append(rule)


def _extra_access(user, perm: str, model: type) -> Q | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    combined = None
    for rule in _ACCESS_RULES.get(model, ()):
        q = rule(user, perm)
        if q is not None:
            combined = q if combined is None else combined | q
    return combined


def _owner_filter(model: type, scope: Scope) -> Q | None:
    """Q for the rows whose owner is inside ``scope`` (None: the model has no owner)."""
    path = getattr(model, "owner_field", None)
    if path is None:
        return None
    if getattr(model, "owner_kind", "agency") == "institution":
        from .models import Agency

        institutions = Agency.objects.filter(pk__in=scope.agency_ids).values("institution_id")
        return Q(**{f"{path}__in": institutions})
    lookup = "pk__in" if path == "id" else f"{path}__in"
    return Q(**{lookup: scope.agency_ids})


def owner_agency_id(obj: Model) -> int | None:
    """The id of the agency that owns ``obj``, following its model's ``owner_field``."""
    path = getattr(type(obj), "owner_field", None)
    if path is None:
        return None
    if path == "id":
        return obj.pk
    target = obj
    parts = path.split("__")
    for part in parts[:-1]:
        target = getattr(target, part, None)
        if target is None:
            return None
    return getattr(target, parts[-1] + "_id", None)


def scope_queryset(user, perm: str, queryset: QuerySet) -> QuerySet:
    scope = user_scope(user, perm)
    if scope.everything:
        return queryset
    allowed = None if scope.empty else _owner_filter(queryset.model, scope)
    extra = _extra_access(user, perm, queryset.model)
    if extra is not None:
        allowed = extra if allowed is None else allowed | extra
    if allowed is None:
        return queryset.none()
    return queryset.filter(allowed).distinct() if extra is not None else queryset.filter(allowed)


def has_perm(user, perm: str, obj: Model | None = None) -> bool:
    scope = user_scope(user, perm)
    if obj is None:
        if not scope.empty:
            return True
        # Through an access rule only where it reaches something today (a document the user is
        # named on), so menus do not offer pages that would be empty to this user.
        for model in _models_for(perm):
            extra = _extra_access(user, perm, model)
            if extra is not None and model._default_manager.filter(extra).exists():
                return True
        return False
    if scope.everything:
        return True
    model = type(obj)
    if getattr(model, "owner_kind", "agency") == "institution":
        if not scope.empty and _owner_filter(model, scope) is not None:
            if model._default_manager.filter(pk=obj.pk).filter(_owner_filter(model, scope)).exists():
                return True
    elif scope.covers(owner_agency_id(obj)):
        return True
    extra = _extra_access(user, perm, model)
    return extra is not None and model._default_manager.filter(pk=obj.pk).filter(extra).exists()


def _models_for(perm: str) -> list[type]:
    """Models whose access rules may grant ``perm`` (``app.action_model``)."""
    try:
        app_label, codename = perm.split(".", 1)
        model_name = codename.split("_", 1)[1]
    except (ValueError, IndexError):
        return []
    return [m for m in _ACCESS_RULES if m._meta.app_label == app_label and m._meta.model_name == model_name]


def require(user, perm: str, obj: Model | None = None) -> None:
    if not has_perm(user, perm, obj):
        raise PermissionDenied(perm)


def require_unless_system(by, perm: str, obj: Model | None = None) -> None:
    """Services take ``by=None`` for the system itself (commands, demo data, tasks)."""
    if by is not None:
        require(by, perm, obj)


def object_or_404(user, perm: str, queryset: QuerySet, **lookup):
    """One object the user may act on, or Http404 — never 403, so ids elsewhere stay hidden."""
    from django.http import Http404

    obj = scope_queryset(user, perm, queryset).filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj


def agencies_for(user, perm: str) -> QuerySet:
    """Agencies in which the user holds ``perm`` (for pickers and filters)."""
    from .models import Agency

    return scope_queryset(user, perm, Agency.objects.filter(is_active=True)).order_by("path")


# --- delegation (who may grant and revoke which role; see roles.py) ---------------------


def _granter_memberships(user):
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return [m for m in current_memberships(user) if m.role in GRANTER_LEVEL]


def may_grant(user, role: str, agency) -> bool:
    """May ``user`` give ``role`` in ``agency``? (Also the test for revoking such a membership.)"""
    if role not in ROLE_GRANT_LEVEL or user is None:
        return False
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    needed = ROLE_GRANT_LEVEL[role]
    for membership in _granter_memberships(user):
        level = GRANTER_LEVEL[membership.role]
        if level == GrantLevel.GLOBAL:
            return True
        if needed > level:
            continue
        if level == GrantLevel.INSTITUTION and agency.institution_id == membership.agency.institution_id:
            return True
        if level == GrantLevel.AGENCY and agency.path.startswith(membership.agency.path):
            return True
    return may_grant_by_delegation(user, role, agency)


def may_grant_by_delegation(user, role: str, agency) -> bool:
    """A module's narrow delegation (roles.register_delegated_grants): one named role, in the
    granter's own institution, without being an administrator."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return any(role in DELEGATED_GRANTS.get(m.role, ()) and agency.institution_id == m.agency.institution_id
               for m in current_memberships(user))


def may_grant_to(user, grantee) -> bool:
    """Below platform level, roles go only to people of the granter's own institution: a new
    account, or one whose current memberships all lie in institutions the granter administers."""
    if user is None:
        return False
    if getattr(user, "is_superuser", False) or any(
        GRANTER_LEVEL[m.role] == GrantLevel.GLOBAL for m in _granter_memberships(user)
    ):
        return True
    if grantee.is_superuser:
        return False
    mine = {m.agency.institution_id for m in _granter_memberships(user)}
    theirs = {m.agency.institution_id for m in current_memberships(grantee)}
    forget_cached_scopes(grantee)
    return theirs <= mine


def may_revoke(user, membership) -> bool:
    """Nobody revokes a membership of wider reach than they could grant."""
    return may_grant(user, membership.role, membership.agency)


def grantable_roles(user, agency) -> list[str]:
    """The roles ``user`` may give in ``agency`` (for forms and pickers)."""
    return [role for role in Role.values if may_grant(user, role, agency)]


def is_console_user(user) -> bool:
    """May use the staff console at all (any current membership)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or bool(current_memberships(user))


def qualifies_for_admin(user) -> bool:
    return user.is_superuser or any(m.role in STAFF_ROLES for m in current_memberships(user))


class AgencyPermissionBackend(ModelBackend):
    """Password login as usual; every permission question goes to this module."""

    def has_perm(self, user_obj, perm, obj=None):
        return has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if not user_obj.is_active:
            return False
        if user_obj.is_superuser:
            return True
        return any(
            role_grants(m.role, perm)
            for m in current_memberships(user_obj)
            for perm in _module_perm_names(app_label)
        )

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()


def _module_perm_names(app_label: str) -> list[str]:
    from django.apps import apps

    names = []
    for model in apps.get_app_config(app_label).get_models():
        for action in ("view", "add", "change", "delete"):
            names.append(f"{app_label}.{action}_{model._meta.model_name}")
    return names
