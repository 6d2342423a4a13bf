"""What litellm_params hold, by name: which are provider secrets (never shown, exported,
logged or audited in clear: "set" with a replace field), and the provider-specific fields the
form offers (LiteLLM's parameter names, litellm/types/router.py GenericLiteLLMParams)."""

from __future__ import annotations

# Named secrets of the providers the form knows, plus any name that reads like a credential.
SECRET_PARAMS = frozenset(
    [
        "api_key",
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "aws_bearer_token",
        "vertex_credentials",
        "azure_ad_token",
        "client_secret",
        "azure_password",
    ]
)
_SECRET_SEGMENTS = frozenset(["key", "secret", "token", "password", "credentials", "credential"])


def is_secret(name: str) -> bool:
    """A provider secret: a named one, or a name with a credential-like segment (api_key,
    *_secret, *_token, password...), but never a cost or token-count field
    (input_cost_per_token, max_tokens)."""
    if name in SECRET_PARAMS:
        return True
    segments = name.lower().replace("-", "_").split("_")
    return bool(_SECRET_SEGMENTS & set(segments)) and "cost" not in segments and "max" not in segments


# The fields shown for each provider (custom_llm_provider), besides the common ones.
PROVIDER_FIELDS = {
    "azure": ("api_version", "azure_ad_token", "tenant_id", "client_id", "client_secret"),
    "bedrock": ("aws_region_name", "aws_access_key_id", "aws_secret_access_key", "aws_session_token"),
    "vertex_ai": ("vertex_project", "vertex_location", "vertex_credentials"),
}
PROVIDER_CHOICES = [
    ("openai", "OpenAI"),
    ("azure", "Azure OpenAI"),
    ("anthropic", "Anthropic"),
    ("bedrock", "AWS Bedrock"),
    ("vertex_ai", "Google Vertex AI"),
    ("gemini", "Google AI Studio"),
    ("mistral", "Mistral"),
    ("groq", "Groq"),
    ("cohere", "Cohere"),
    ("ollama", "Ollama"),
    ("openai_compatible", "OpenAI-compatible (hosted_vllm, ...)"),
]
COMMON_FIELDS = ("model", "custom_llm_provider", "api_base", "api_key", "rpm", "tpm")
COST_FIELDS = ("input_cost_per_token", "output_cost_per_token")


def provider_of(params: dict) -> str:
    """custom_llm_provider, else the prefix of `model` (azure/my-deployment -> azure), as
    LiteLLM's get_llm_provider reads a model string first."""
    provider = params.get("custom_llm_provider")
    if isinstance(provider, str) and provider:
        return provider
    model = params.get("model")
    if isinstance(model, str) and "/" in model:
        return model.split("/", 1)[0]
    return ""
