import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_no_missing_migrations():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_commands = re.findall(r"^\s*(make \w+)\s*$", readme, flags=re.MULTILINE)[:2]
    assert first_commands == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.MULTILINE) and re.search(r"^test:", makefile, re.MULTILINE)


def test_spbe_console_command_is_django_manage():
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["spbe"] == "spbe.manage:main"
