"""The demo and the test databases: nothing a production console runs.

  deployment/   the demo deployment (`manage.py demo`, the browser tests), one file per family of rows
  embedded.py   an embedded PostgreSQL with LiteLLM's schema from LiteLLM's own SQL migrations
  database.py   the demo database in .demo/ (`manage.py demo`/`bench`, and every command when
                DATABASE_URL is unset and .demo/ exists)
  testdb.py     the test session's database; testrunner.py: `manage.py test`
  management/   the `demo` command

It may import every part of the console; no part of the console imports it (import-linter
contract in pyproject.toml), only manage.py, the tests and the demo-only commands.
"""
