"""PostgreSQL backend for the console's own tables: creates their schema before migrating."""

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def prepare_database(self):
        super().prepare_database()
        schema = self.settings_dict.get("CONSOLE_SCHEMA")
        if schema:
            with self.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
