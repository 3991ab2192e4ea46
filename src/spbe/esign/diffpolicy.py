"""pyHanko's default rules for what may change after a signature, with one correction.

pyHanko's "in-place appearance update" check treats an appearance stream as updated whenever it
was last written *before* the revision it compares from; with three or more revisions (signature,
then validation data for B-LT) a locked field's untouched appearance is reported as changed and a
sound B-LT signature fails. Here an update counts only if the later revision really rewrote the
object, which is the condition the check means to enforce.
"""

from __future__ import annotations

from functools import cache


def _only_real_rewrites(updates, context):
    xrefs = context.new.reader.xrefs
    for level, update in updates:
        try:
            last = xrefs.get_last_change(update.updated_ref)
        except Exception:  # noqa: BLE001 - not in any xref section: nothing was rewritten
            continue
        if context.old.revision < last <= context.new.revision:
            yield level, update


def _corrected(rule_class):
    class Corrected(rule_class):
        def check_form_field(self, fq_name, spec, context):
            return _only_real_rewrites(super().check_form_field(fq_name, spec, context), context)

    Corrected.__name__ = Corrected.__qualname__ = f"Corrected{rule_class.__name__}"
    return Corrected


@cache
def diff_policy():
    from pyhanko.sign.diff_analysis import policies
    from pyhanko.sign.diff_analysis.rules import form_field_rules as rules

    default = policies.DEFAULT_DIFF_POLICY
    return policies.StandardDiffPolicy(
        global_rules=default.global_rules,
        form_rule=policies.FormUpdatingRule(field_rules=[
            rules.SigFieldCreationRule(),
            _corrected(rules.SigFieldModificationRule)(),
            _corrected(rules.GenericFieldModificationRule)(),
        ]),
    )
