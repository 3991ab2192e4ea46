"""'Tugas saya': the work queue core gathers from every module's provider, for each user only
what they may see and do, overdue first."""

from datetime import date, timedelta

from django.utils import timezone

from spbe.core import workqueue
from spbe.core.workqueue import Task
from spbe.evaluation import services as evaluation_services
from spbe.evaluation.models import Stage
from tests.conftest import login
from tests.assistant.conftest import kb, on_shift  # noqa: F401  (fixtures)
from tests.evaluation.conftest import answer_all, approve_all, evaluation, open_self  # noqa: F401
from tests.levy.conftest import levy  # noqa: F401
from tests.core.test_export_scopes import demo_world  # noqa: F401


def test_tasks_are_sorted_overdue_first_empty_ones_hidden_and_a_broken_provider_skipped(world, monkeypatch):
    today = timezone.localdate()
    providers = [
        ("later", lambda user: [Task("later", 2, "/b/", due=today + timedelta(days=3)), Task("nothing", 0, "/c/")]),
        ("broken", lambda user: 1 / 0),
        ("late", lambda user: [Task("late", 1, "/a/", due=today - timedelta(days=1)), Task("whenever", 5, "/d/")]),
    ]
    monkeypatch.setattr(workqueue, "_PROVIDERS", providers)
    tasks = workqueue.tasks_for(world.users["staff_a"])
    assert [t.label for t in tasks] == ["late", "later", "whenever"]
    assert tasks[0].overdue and not tasks[1].overdue and not tasks[2].due_has_time


def test_each_role_sees_its_own_evaluation_work(evaluation):  # noqa: F811
    period, people = evaluation
    open_self(period, people["coordinator"])
    labels = lambda user: {t.label: t.count for t in workqueue.tasks_for(user)}  # noqa: E731
    staff = labels(people["staff_a"])
    assert any("Jawaban indikator untuk dilengkapi" in str(label) and count > 0 for label, count in staff.items()), staff
    assert not any("untuk dinilai" in str(label) for label in labels(people["external"]))  # no assessment stage open yet
    answer_all(period, people["staff_a"])
    approve_all(period, people["coordinator"])
    evaluation_services.close_stage(period, Stage.SELF_ASSESSMENT, by=people["coordinator"])
    evaluation_services.open_stage(period, Stage.DOCUMENT, by=people["coordinator"])
    external = labels(people["external"])
    assert [count for label, count in external.items() if "untuk dinilai" in str(label)] == [period.responses.count()]
    assert not any("untuk dinilai" in str(label) for label in labels(people["other_external"]))  # not named for this period
    assert not any("untuk dinilai" in str(label) for label in labels(people["staff_a"]))


def test_the_console_home_lists_the_tasks_with_links_and_deadlines(kb, on_shift):  # noqa: F811
    from spbe.assistant import services as assistant

    conversation = assistant.start_conversation(language="en")
    assistant.request_human(conversation)
    page = login(kb.duty).get("/console/").content.decode()
    assert 'data-testid="work-queue"' in page and "/console/assistant/" in page
    assert "Obrolan menunggu balasan pertama" in page  # Indonesian by default
    empty = login(kb.world.users["staff_b"]).get("/console/").content.decode()
    assert 'data-testid="no-tasks"' in empty


def test_due_dates_on_dates_and_datetimes():
    assert Task("x", 1, "/", due=date(2000, 1, 1)).overdue
    assert not Task("x", 1, "/", due=timezone.now() + timedelta(hours=1)).overdue
    assert Task("x", 1, "/", due=timezone.now() - timedelta(minutes=1)).overdue


def test_every_registered_provider_runs_for_every_kind_of_user(kb, evaluation):  # noqa: F811
    """tasks_for hides a failing provider from the page, so each one is called here directly."""
    from spbe.core.models import User

    names = [name for name, _ in workqueue._PROVIDERS]
    assert {"esign", "assistant", "levy", "security", "webscan", "evaluation"} <= set(names)
    for user in User.objects.all():
        for name, provider in workqueue._PROVIDERS:
            for task in provider(user):
                assert task.count >= 0 and task.url.startswith("/"), (name, user, task)


def test_console_navigation_marks_one_entry_groups_once_and_denied_pages_keep_the_layout(kb):  # noqa: F811
    from spbe.core import navigation

    officer = kb.officer
    items = navigation.items_for(officer, "/console/levy/orders/")
    assert [i["url"] for i in items if i["active"]] == ["/console/levy/orders/"]  # not the dashboard at /console/levy/ too
    groups = [str(i["group"]) for i in items]
    assert groups == sorted(groups, key=groups.index)  # each group's entries together: one heading per group
    denied = login(kb.duty).get("/console/levy/orders/")
    page = denied.content.decode()
    assert denied.status_code == 403 and 'id="console-nav"' in page and "/console/" in page
    assert "levy.view_order" not in page  # no permission codes on the page


def test_the_demo_gives_each_working_role_something_to_do(demo_world):  # noqa: F811
    """A newcomer signing in as a demo role finds work waiting, not an empty console: letters to
    initial and to sign, reports to triage and to fix, an ITSA finding due, a cohort to supervise,
    Wazuh alerts on the SOC page mapped to their OPDs."""
    from spbe.core.models import User
    from spbe.security.demo import COHORT_NAME
    from spbe.security.models import SecurityAlert

    def queue(username):
        return {str(task.label): task.count for task in workqueue.tasks_for(User.objects.get(username=username))}

    assert queue("penandatangan").get("Dokumen menunggu tanda tangan Anda") == 1
    assert queue("pemeriksa.dokumen").get("Dokumen menunggu paraf Anda") == 1
    assert queue("triase.keamanan").get("Laporan kerentanan untuk ditriase") == 2
    assert queue("bappeda.staf").get("Laporan kerentanan diterima yang harus diperbaiki") == 1
    assert queue("kominfo.admin"), "the E-Office ITSA has a critical finding due within the week"
    assert SecurityAlert.objects.count() >= 8 and not SecurityAlert.objects.filter(agency__isnull=True).exists()
    supervisor = login(User.objects.get(username="dosen.pembimbing"))
    assert COHORT_NAME in supervisor.get("/security/cohorts/").content.decode()
    soc = login(User.objects.get(username="triase.keamanan")).get("/console/security/soc/")
    assert soc.status_code == 200 and "brute force" in soc.content.decode()
