"""`manage.py copydb`: copy a LiteLLM database's tables into another database that already has
LiteLLM's schema, resumably and verifiably (see the command's docstring)."""
