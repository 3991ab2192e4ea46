from django_tasks import task


@task()
def verify_audit_chain() -> dict:
    """Scheduled integrity check of the audit log; the result is kept with the task."""
    from .services import verify_chain

    report = verify_chain()
    if not report.ok:
        import logging

        logging.getLogger("spbe.audit").error(
            "Audit chain broken", extra={"first_bad_sequence": report.first_bad_sequence, "reason": report.reason}
        )
    return report.as_dict()
