"""``python -m salescore``: the ``salescore`` command."""

from salescore.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
