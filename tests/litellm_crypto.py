"""A port of LiteLLM's own encrypt_value_helper / decrypt_value_helper (litellm 1.108.11,
litellm/proxy/common_utils/encrypt_decrypt_utils.py), the tests' oracle for deployments/crypto.py.

litellm itself is not installable here (not in the local package index), so the functions are
copied as LiteLLM has them, with its two globals stood in for: `SALT_KEY` (get_salt_key():
LITELLM_SALT_KEY or the master key) and `GENERAL_SETTINGS` (proxy_server.general_settings).
Only the logging calls are dropped.
"""

import base64
import hashlib
import os
from typing import Literal, cast

V2_GCM_PREFIX = "v2:gcm:"
ENCRYPTION_ALGORITHM_SETTING = "encryption_algorithm"
ALGO_AES_GCM = "aes-256-gcm"
_ALGO_XSALSA20 = "xsalsa20-poly1305"

SALT_KEY: str | None = None
GENERAL_SETTINGS: dict = {}


def get_salt_key() -> str | None:
    return SALT_KEY


def _get_encryption_algorithm() -> str:
    algo = GENERAL_SETTINGS.get(ENCRYPTION_ALGORITHM_SETTING, _ALGO_XSALSA20)
    if isinstance(algo, str) and algo.lower() == ALGO_AES_GCM:
        return ALGO_AES_GCM
    return _ALGO_XSALSA20


def _derive_key(signing_key: str) -> bytes:
    return hashlib.sha256(signing_key.encode()).digest()


def _seal_aes_gcm(value: str, signing_key: str, aad: bytes | None) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return nonce + AESGCM(_derive_key(signing_key)).encrypt(nonce, value.encode("utf-8"), aad)


def _open_aes_gcm(sealed: bytes, signing_key: str, aad: bytes | None) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(_derive_key(signing_key)).decrypt(sealed[:12], sealed[12:], aad).decode("utf-8")


def _encrypt_aes_gcm(value: str, signing_key: str) -> str:
    sealed = _seal_aes_gcm(value=value, signing_key=signing_key, aad=None)
    return V2_GCM_PREFIX + base64.urlsafe_b64encode(sealed).decode("utf-8")


def _decrypt_aes_gcm(value: str, signing_key: str) -> str:
    sealed = base64.urlsafe_b64decode(value[len(V2_GCM_PREFIX) :])
    return _open_aes_gcm(sealed=sealed, signing_key=signing_key, aad=None)


def encrypt_value_helper(value: str, new_encryption_key: str | None = None):
    signing_key = new_encryption_key or get_salt_key()
    if isinstance(value, str):
        if _get_encryption_algorithm() == ALGO_AES_GCM:
            return _encrypt_aes_gcm(value=value, signing_key=cast(str, signing_key))
        encrypted_value = encrypt_value(value=value, signing_key=signing_key)
        encrypted_value = base64.urlsafe_b64encode(encrypted_value).decode("utf-8")
        return encrypted_value
    return value


def _legacy_ciphertext_bytes(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value)
    except Exception:
        return base64.b64decode(value)


def _decrypt_with_signing_key(value: str, signing_key: str) -> str:
    if value.startswith(V2_GCM_PREFIX):
        return _decrypt_aes_gcm(value=value, signing_key=signing_key)
    return decrypt_value(value=_legacy_ciphertext_bytes(value), signing_key=signing_key)


def decrypt_value_helper(
    value: str,
    key: str,
    exception_type: Literal["debug", "error"] = "error",
    return_original_value: bool = False,
) -> str | None:
    signing_key = get_salt_key()
    try:
        if isinstance(value, str):
            return _decrypt_with_signing_key(value=value, signing_key=cast(str, signing_key))
        return value
    except Exception:
        if exception_type == "debug":
            return value if return_original_value else None
        if return_original_value:
            return value
        return None


def encrypt_value(value: str, signing_key: str):
    import nacl.secret

    hash_bytes = hashlib.sha256(signing_key.encode()).digest()
    box = nacl.secret.SecretBox(hash_bytes)
    return box.encrypt(value.encode("utf-8"))


def decrypt_value(value: bytes, signing_key: str) -> str:
    import nacl.secret

    hash_bytes = hashlib.sha256(signing_key.encode()).digest()
    box = nacl.secret.SecretBox(hash_bytes)
    if len(value) == 0:
        return ""
    return box.decrypt(value).decode("utf-8")
