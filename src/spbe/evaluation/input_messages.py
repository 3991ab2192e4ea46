"""The index and planner errors (``index.InputError``) in the reader's language: index.py runs
without Django for the command line and speaks English there; pages say the same in Indonesian."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .index import InputError


def _templates() -> dict[str, str]:
    return {
        "level_not_whole": _("Indicator %(indicator)s: the level %(level)s is not a whole number."),
        "level_outside": _("Indicator %(indicator)s: the level %(level)s is outside %(min)s to %(max)s."),
        "no_survey": _("This methodology has no survey conversion."),
        "survey_value": _("Give both survey means as numbers from 1 to 5, such as 4,2."),
        "unknown_indicators": _("These indicators are not part of the methodology: %(numbers)s."),
        "levels_count": _("%(needed)s indicator levels are needed; %(got)s were given."),
        "value_not_number": _("%(what)s: %(value)s is not a number."),
        "value_outside": _("%(what)s: the value %(value)s is outside %(min)s to %(max)s."),
        "aspects_count": _("%(needed)s aspect values are needed; %(got)s were given."),
        "no_domains": _("This methodology has no domains: give its %(needed)s aspect values."),
        "domains_count": _("%(needed)s domain values are needed; %(got)s were given."),
        "empty_value": _("The list has an empty value: give one number between each pair of commas."),
        "bad_target": _("The target %(target)s is neither a number nor a predicate name."),
        "target_outside": _("The target %(target)s is outside %(min)s to %(max)s."),
        "bad_cycles": _("Plan over 1 to 10 evaluation years."),
        "bad_cap": _("Raise an indicator by 1 to %(max)s levels per year."),
    }


def describe(error: InputError) -> str:
    template = _templates().get(getattr(error, "code", ""))
    if template is None:
        return str(error)
    params = {key: (value.replace("domain", _("domain")).replace("aspect", _("aspect")) if key == "what" else value)
              for key, value in error.params.items()}
    return template % params
