from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_table(sender, using="default", **kwargs):
    if using != "default":
        return
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class ConsoleConfig(AppConfig):
    name = "config"
    label = "config"
    verbose_name = "LiteLLM proxy"

    def ready(self):
        from accounts import sessions  # noqa: F401  (stamps sessions with the password at sign-in)

        from . import (
            checks,  # noqa: F401  (registers the schema check)
            metrics,  # noqa: F401  (times every statement per alias from the first connection on)
        )
        from .selectors import forget_home_figures
        from .writes import rows_written

        post_migrate.connect(_create_cache_table, sender=self)
        # the home page's whole-proxy figures are kept a minute; any change made here drops them
        rows_written.connect(forget_home_figures, dispatch_uid="forget_home_figures")
