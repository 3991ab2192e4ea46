"""The ``spbe`` console command: Django's manage command for this project."""

import os
import sys

# Commands that need neither the database nor Django's app registry run without setting Django
# up (about a second of imports): "name": "module" with a main(argv) -> exit code. Each also
# exists as a management command with the same arguments, for call_command and `spbe help`.
STANDALONE = {
    "compute_index": "spbe.evaluation.index_cli",
}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in STANDALONE:
        from importlib import import_module

        sys.exit(import_module(STANDALONE[sys.argv[1]]).main(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spbe.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
