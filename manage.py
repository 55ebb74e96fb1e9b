#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kapcouples.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018  (loads the settings now, to report what is missing)
    except ImproperlyConfigured as error:
        # Django's command runner would hide this behind "Models aren't loaded yet".
        sys.exit(
            f"{error}.\nSet it in the environment, or for local development copy .env.example "
            "to .env (it sets DEBUG=1); see the README's Configuration table."
        )

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
