"""Keep every LiteLLM model on the `litellm` connection, and never migrate it."""

LITELLM_ALIAS = "litellm"


def is_litellm_model(model) -> bool:
    return getattr(model, "is_litellm_table", False)


class LiteLLMRouter:
    def db_for_read(self, model, **hints):
        return LITELLM_ALIAS if is_litellm_model(model) else "default"

    db_for_write = db_for_read

    def allow_relation(self, obj1, obj2, **hints):
        return is_litellm_model(obj1) == is_litellm_model(obj2)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        model = hints.get("model")
        if model is not None and is_litellm_model(model):
            return False
        return db == "default"
