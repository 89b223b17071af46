#!/usr/bin/env python
"""Django's manage.py; the ``essor`` console script does the same with a friendlier help."""

from essor.cli import main

if __name__ == "__main__":
    main()
