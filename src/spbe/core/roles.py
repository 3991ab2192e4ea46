"""Roles and what each role may do.

Roles are held through a Membership (user + agency + role). Each role has a *reach*:

* ``agency``: the membership's agency and the agencies below it (a Dinas and its UPTDs);
* ``institution``: every agency of the membership's institution (coordinators, assessors);
* ``global``: everything (platform administrators only).

Permissions use Django's ``app_label.codename`` names so that the admin, the API and the
web views can all ask the one permission layer in ``spbe.core.permissions``. A trailing
``*`` grants every codename with that prefix. Modules add their own grants through
``register_role_permissions`` in their AppConfig.ready(), so this file stays the only
place that knows the role list.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    INSTITUTION_ADMIN = "institution_admin", _("Institution administrator")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    AGENCY_STAFF = "agency_staff", _("Agency staff")
    SPBE_COORDINATOR = "spbe_coordinator", _("SPBE coordinator")
    INTERNAL_ASSESSOR = "internal_assessor", _("Internal assessor")
    EXTERNAL_ASSESSOR = "external_assessor", _("External assessor")
    LEVY_OFFICER = "levy_officer", _("Levy officer")
    CHECKPOINT_OFFICER = "checkpoint_officer", _("Checkpoint officer")
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    DOCUMENT_REVIEWER = "document_reviewer", _("Document reviewer")
    SIGNER = "signer", _("Signer")
    SECURITY_TRIAGER = "security_triager", _("Security triager")
    RESEARCHER = "researcher", _("Researcher")
    PARTNER_ENDPOINT = "partner_endpoint", _("Partner endpoint")


class Reach(models.TextChoices):
    AGENCY = "agency", _("Own agency and its sub-units")
    INSTITUTION = "institution", _("Whole institution")
    GLOBAL = "global", _("Whole platform")


ROLE_REACH: dict[str, str] = {
    Role.PLATFORM_ADMIN: Reach.GLOBAL,
    Role.INSTITUTION_ADMIN: Reach.INSTITUTION,
    Role.AGENCY_ADMIN: Reach.AGENCY,
    Role.AGENCY_STAFF: Reach.AGENCY,
    Role.SPBE_COORDINATOR: Reach.INSTITUTION,
    Role.INTERNAL_ASSESSOR: Reach.INSTITUTION,
    Role.EXTERNAL_ASSESSOR: Reach.INSTITUTION,
    Role.LEVY_OFFICER: Reach.AGENCY,
    Role.CHECKPOINT_OFFICER: Reach.AGENCY,
    Role.DUTY_OFFICER: Reach.AGENCY,
    Role.DOCUMENT_REVIEWER: Reach.AGENCY,
    Role.SIGNER: Reach.AGENCY,
    Role.SECURITY_TRIAGER: Reach.INSTITUTION,
    Role.RESEARCHER: Reach.AGENCY,
    Role.PARTNER_ENDPOINT: Reach.AGENCY,
}

# Roles whose holders may use the staff console and (scoped) Django admin.
STAFF_ROLES = frozenset(
    {Role.PLATFORM_ADMIN, Role.INSTITUTION_ADMIN, Role.AGENCY_ADMIN, Role.SPBE_COORDINATOR, Role.SECURITY_TRIAGER}
)

# --- delegation: who may grant (and revoke) which role -------------------------------------
#
# A role's *grant level* is the reach of the data it opens, which is wider than ROLE_REACH for
# roles that work on institution-owned records (the levy's orders, the assistant's chats): a
# levy officer's membership sits in Dispar, but the orders it opens belong to the province.
# A granter may hand out roles up to its own level, inside its own reach:
#   platform admin     → every role, anywhere;
#   institution admin  → agency- and institution-level roles in its institution;
#   agency admin       → agency-level roles in its agency and the agencies below it.
# Nobody else grants anything, and nobody revokes a membership they could not have granted.


class GrantLevel(models.IntegerChoices):
    AGENCY = 1, _("Agency")
    INSTITUTION = 2, _("Institution")
    GLOBAL = 3, _("Platform")


ROLE_GRANT_LEVEL: dict[str, int] = {
    Role.PLATFORM_ADMIN: GrantLevel.GLOBAL,
    Role.INSTITUTION_ADMIN: GrantLevel.INSTITUTION,
    Role.AGENCY_ADMIN: GrantLevel.AGENCY,
    Role.AGENCY_STAFF: GrantLevel.AGENCY,
    Role.DOCUMENT_REVIEWER: GrantLevel.AGENCY,
    Role.SIGNER: GrantLevel.AGENCY,
    Role.SPBE_COORDINATOR: GrantLevel.INSTITUTION,
    Role.INTERNAL_ASSESSOR: GrantLevel.INSTITUTION,
    Role.EXTERNAL_ASSESSOR: GrantLevel.INSTITUTION,
    Role.SECURITY_TRIAGER: GrantLevel.INSTITUTION,
    Role.LEVY_OFFICER: GrantLevel.INSTITUTION,
    Role.CHECKPOINT_OFFICER: GrantLevel.INSTITUTION,
    Role.DUTY_OFFICER: GrantLevel.INSTITUTION,
    Role.RESEARCHER: GrantLevel.INSTITUTION,
    Role.PARTNER_ENDPOINT: GrantLevel.INSTITUTION,
}

# The level up to which each administrative role may grant (other roles grant nothing).
GRANTER_LEVEL: dict[str, int] = {
    Role.PLATFORM_ADMIN: GrantLevel.GLOBAL,
    Role.INSTITUTION_ADMIN: GrantLevel.INSTITUTION,
    Role.AGENCY_ADMIN: GrantLevel.AGENCY,
}

# Narrow delegations a module may register: holders of one operational role may grant exactly
# these roles, in agencies of their own institution (e.g. a levy officer gives a Love Bali
# Endpoint's front office its partner account). Filled by modules through
# ``register_delegated_grants``; ``permissions.may_grant`` reads it with the tables above.
DELEGATED_GRANTS: dict[str, set[str]] = defaultdict(set)


def register_delegated_grants(granter_role: str, roles: list[str]) -> None:
    if granter_role not in Role.values or any(role not in Role.values for role in roles):
        raise ValueError(f"unknown role in a delegation by {granter_role!r}: {roles}")
    if any(role in GRANTER_LEVEL or role in STAFF_ROLES for role in roles):
        raise ValueError("administrative and staff roles are never delegated")
    DELEGATED_GRANTS[granter_role].update(roles)


# Roles whose holders must sign in with a second factor (TOTP); optional for everyone else.
SECOND_FACTOR_ROLES = frozenset(
    {Role.PLATFORM_ADMIN, Role.INSTITUTION_ADMIN, Role.AGENCY_ADMIN, Role.SECURITY_TRIAGER, Role.LEVY_OFFICER,
     Role.SIGNER}
)


def _check_tables() -> None:
    for role in Role.values:
        if role not in ROLE_REACH or role not in ROLE_GRANT_LEVEL:
            raise ValueError(f"role {role!r} needs a reach and a grant level")
        if ROLE_REACH[role] == Reach.INSTITUTION and ROLE_GRANT_LEVEL[role] < GrantLevel.INSTITUTION:
            raise ValueError(f"role {role!r} reaches the institution, so an agency admin may not grant it")


_check_tables()

_ROLE_PERMISSIONS: dict[str, set[str]] = defaultdict(set)


def register_role_permissions(grants: dict[str, list[str]]) -> None:
    """Add permission grants per role (called by each module's AppConfig.ready)."""
    for role, perms in grants.items():
        if role not in Role.values:
            raise ValueError(f"Unknown role {role!r}")
        _ROLE_PERMISSIONS[role].update(perms)


def role_grants(role: str, perm: str) -> bool:
    """True when ``role`` carries ``perm`` (exact name or a ``prefix*`` grant)."""
    if role == Role.PLATFORM_ADMIN:
        return True
    for granted in _ROLE_PERMISSIONS.get(role, ()):
        if granted == perm or (granted.endswith("*") and perm.startswith(granted[:-1])):
            return True
    return False


def roles_granting(perm: str) -> list[str]:
    return [role for role in Role.values if role_grants(role, perm)]


# Grants for the core models themselves.
register_role_permissions(
    {
        Role.AGENCY_ADMIN: [
            "core.view_agency",
            "core.change_agency",
            "core.view_membership",
            "core.add_membership",
            "core.change_membership",
            "core.delete_membership",
            "audit.view_auditevent",
        ],
        Role.INSTITUTION_ADMIN: [
            "core.view_agency",
            "core.change_agency",
            "core.add_agency",
            "core.view_membership",
            "core.add_membership",
            "core.change_membership",
            "core.delete_membership",
            "audit.view_auditevent",
        ],
        Role.AGENCY_STAFF: ["core.view_agency"],
        Role.SPBE_COORDINATOR: ["core.view_agency", "core.view_membership", "audit.view_auditevent"],
        Role.INTERNAL_ASSESSOR: ["core.view_agency"],
        Role.EXTERNAL_ASSESSOR: ["core.view_agency"],
        Role.SECURITY_TRIAGER: ["core.view_agency"],
    }
)
