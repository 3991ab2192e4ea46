from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "spbe.evaluation"
    verbose_name = _("SPBE evaluation")

    def ready(self):
        from spbe.core import workqueue

        from . import queues

        workqueue.register("evaluation", queues.tasks)  # "Tugas saya" on the console home
        from django.db.models import Q

        from spbe.core.navigation import NavItem, register
        from spbe.core.permissions import register_access_rule
        from spbe.core.roles import Role, register_role_permissions

        from .models import EvaluationPeriod, Evidence, Recommendation, Response, ScoreChange, StageMinutes, StageScore, StageWindow

        view = [
            "evaluation.view_evaluationperiod",
            "evaluation.view_stagewindow",
            "evaluation.view_response",
            "evaluation.view_evidence",
            "evaluation.view_stagescore",
            "evaluation.view_scorechange",
            "evaluation.view_responsechange",
            "evaluation.view_publishedindex",
            "evaluation.view_recommendation",
            "evaluation.view_stageminutes",
        ]
        answer = ["evaluation.change_response", "evaluation.add_evidence", "evaluation.delete_evidence",
                  "evaluation.change_recommendation"]
        register_role_permissions(
            {
                Role.AGENCY_ADMIN: view + answer,
                Role.AGENCY_STAFF: view + answer,
                Role.SPBE_COORDINATOR: view
                + [
                    "evaluation.add_evaluationperiod",
                    "evaluation.change_evaluationperiod",
                    "evaluation.review_response",
                    "evaluation.add_publishedindex",
                    "evaluation.change_recommendation",
                    # The coordinator drafts the Berita Acara as a TTE document of their unit.
                    "esign.add_document",
                    "esign.view_document",
                ],
                Role.INTERNAL_ASSESSOR: view + ["evaluation.review_response"],
                Role.EXTERNAL_ASSESSOR: ["evaluation.view_publishedindex"],
            }
        )

        # External assessors (KemenPANRB) reach only the periods they are named on.
        assessor_perms = {
            EvaluationPeriod: ("view_evaluationperiod", "external_assessors"),
            StageWindow: ("view_stagewindow", "period__external_assessors"),
            Response: ("view_response change_stagescore", "period__external_assessors"),
            Evidence: ("view_evidence", "response__period__external_assessors"),
            StageScore: ("view_stagescore", "response__period__external_assessors"),
            ScoreChange: ("view_scorechange", "response__period__external_assessors"),
            Recommendation: ("view_recommendation", "period__external_assessors"),
            StageMinutes: ("view_stageminutes", "period__external_assessors"),
        }

        def make_rule(codenames: set[str], path: str):
            def rule(user, perm):
                if perm.split(".", 1)[-1] not in codenames:
                    return None
                if not user.memberships.filter(role=Role.EXTERNAL_ASSESSOR, is_active=True).exists():
                    return None
                return Q(**{path: user})

            return rule

        for model, (codenames, path) in assessor_perms.items():
            register_access_rule(model, make_rule(set(codenames.split()), path))

        from spbe.core.demo import register_demo_loader

        from . import demo

        register_demo_loader(demo.load)

        register(
            NavItem(_("Evaluation periods"), "evaluation:period-list", "evaluation.view_evaluationperiod", _("SPBE")),
            NavItem(_("Index trend & comparison"), "evaluation:trend", "evaluation.view_publishedindex", _("SPBE")),
            NavItem(_("Index calculator"), "evaluation:calculator", None, _("SPBE")),
        )
        from spbe.core import portal

        portal.register(portal.PublicService(
            _("SPBE index"),
            _("How the provincial government is progressing in electronic-based government: the latest result, its trend and its domains."),
            "spbe-index:public-index", _("See the SPBE index"), order=40))
