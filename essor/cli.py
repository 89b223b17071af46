"""The ``essor`` command: Django's management commands, with essor's own listed first."""

from __future__ import annotations

import os
import sys


def _essor_commands() -> dict[str, str]:
    """Name and one-line help of each command that an essor app provides."""
    from django.core.management import get_commands, load_command_class

    commands: dict[str, str] = {}
    for name, app in sorted(get_commands().items()):
        if not app.startswith("essor."):
            continue
        command = load_command_class(app, name)
        text = (command.help or "").strip().splitlines()[0] if command.help else ""
        commands[name.replace("_", "-")] = text
    return commands


def _print_help() -> None:
    width = 22
    print("Usage: essor COMMAND [options]\n")
    print("essor's commands:")
    for name, text in _essor_commands().items():
        print(f"  {name:<{width}}{text}")
    print(
        "\nEvery Django management command works too (migrate, createsuperuser, shell, …):"
        "\n  essor help --all    lists them;  essor help COMMAND    explains one."
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django
    from django.core.management import execute_from_command_line

    argv = sys.argv[:]
    argv[0] = "essor"
    if len(argv) == 1 or (argv[1] in {"-h", "--help", "help"} and len(argv) == 2):
        django.setup()
        _print_help()
        return
    if argv[1:3] == ["help", "--all"]:
        argv = [argv[0], "help"]
    # ``essor name-key`` reads better than ``essor name_key``: both work.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    if len(argv) > 2 and argv[1] == "help":
        argv[2] = argv[2].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
