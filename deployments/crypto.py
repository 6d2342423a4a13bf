"""LiteLLM's at-rest encryption of `litellm_params` values, read and written exactly as
litellm/proxy/common_utils/encrypt_decrypt_utils.py (1.108.11) does:

- the salt key is LITELLM_SALT_KEY, else the proxy's master key (get_salt_key);
- both algorithms use the same key: sha256 of the salt key (_derive_key / encrypt_value);
- legacy XSalsa20-Poly1305 (nacl SecretBox: nonce || ciphertext || tag), stored urlsafe
  base64 (encrypt_value_helper; decrypt also accepts standard base64, _legacy_ciphertext_bytes);
- AES-256-GCM when general_settings.encryption_algorithm is "aes-256-gcm": "v2:gcm:" +
  urlsafe base64 of nonce(12) || ciphertext || tag(16), no AAD (_encrypt_aes_gcm);
- decryption detects the form by the "v2:gcm:" prefix (_decrypt_with_signing_key).

Nothing here logs a value: a failure says which key could not be read, never what it held.
"""

from __future__ import annotations

import base64
import hashlib
import os

from django.conf import settings

V2_GCM_PREFIX = "v2:gcm:"
ALGO_AES_GCM = "aes-256-gcm"
ALGO_XSALSA20 = "xsalsa20-poly1305"


class DecryptionFailed(ValueError):
    """A stored value does not open under the configured salt key."""


def salt_key() -> str | None:
    """get_salt_key(): LITELLM_SALT_KEY, falling back to the master key."""
    return settings.LITELLM_SALT_KEY or settings.LITELLM_MASTER_KEY or None


def salt_key_setting() -> str:
    """The setting that unlocks the deployments' parameters, for the pages' messages."""
    return "LITELLM_SALT_KEY (or LITELLM_MASTER_KEY, as the proxy falls back to it)"


def encryption_algorithm(general_settings: dict | None = None) -> str:
    """_get_encryption_algorithm(): "aes-256-gcm" when configured (case-insensitive), else the
    legacy algorithm. The console's LITELLM_ENCRYPTION_ALGORITHM wins; otherwise the proxy's
    general_settings as stored in LiteLLM_Config (when it stores its config in the DB)."""
    algo = settings.LITELLM_ENCRYPTION_ALGORITHM
    if not algo and general_settings:
        algo = general_settings.get("encryption_algorithm", "")
    if isinstance(algo, str) and algo.lower() == ALGO_AES_GCM:
        return ALGO_AES_GCM
    return ALGO_XSALSA20


def _derive_key(signing_key: str) -> bytes:
    return hashlib.sha256(signing_key.encode()).digest()


def encrypt(value, signing_key: str, algorithm: str = ALGO_XSALSA20):
    """encrypt_value_helper(): strings are encrypted, anything else is returned as it is."""
    if not isinstance(value, str):
        return value
    if algorithm == ALGO_AES_GCM:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(12)
        sealed = nonce + AESGCM(_derive_key(signing_key)).encrypt(nonce, value.encode("utf-8"), None)
        return V2_GCM_PREFIX + base64.urlsafe_b64encode(sealed).decode("utf-8")
    import nacl.secret

    box = nacl.secret.SecretBox(_derive_key(signing_key))
    return base64.urlsafe_b64encode(bytes(box.encrypt(value.encode("utf-8")))).decode("utf-8")


def _legacy_bytes(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value)
    except Exception:  # noqa: BLE001  as _legacy_ciphertext_bytes: fall back to standard base64
        return base64.b64decode(value)


def decrypt(value, signing_key: str):
    """decrypt_value_helper() without its logging: non-strings come back as they are; a string
    that does not open raises DecryptionFailed (LiteLLM logs and returns None there)."""
    if not isinstance(value, str):
        return value
    try:
        if value.startswith(V2_GCM_PREFIX):
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            sealed = base64.urlsafe_b64decode(value[len(V2_GCM_PREFIX) :])
            return AESGCM(_derive_key(signing_key)).decrypt(sealed[:12], sealed[12:], None).decode("utf-8")
        import nacl.secret

        raw = _legacy_bytes(value)
        if len(raw) == 0:
            return ""  # decrypt_value: an empty buffer is the empty string
        return nacl.secret.SecretBox(_derive_key(signing_key)).decrypt(raw).decode("utf-8")
    except Exception as e:  # noqa: BLE001  base64, nacl and AES-GCM each raise their own type
        raise DecryptionFailed(type(e).__name__) from None


def decrypt_params(params: dict, signing_key: str) -> tuple[dict, list[str]]:
    """Every string value of litellm_params decrypted (the proxy's _decrypted_litellm_params);
    returns the values and the names that did not open (kept out of the result)."""
    clear, failed = {}, []
    for name, value in (params or {}).items():
        try:
            clear[name] = decrypt(value, signing_key)
        except DecryptionFailed:
            failed.append(name)
    return clear, failed


def encrypt_params(params: dict, signing_key: str, algorithm: str) -> dict:
    """add_model_to_db / update_db_model: every string value encrypted, the rest as given."""
    return {name: encrypt(value, signing_key, algorithm) for name, value in params.items()}
