"""deployments/crypto.py against a port of LiteLLM's own helpers (tests/litellm_crypto.py):
values LiteLLM encrypts (both algorithms) open to what was entered, values the console
encrypts open under LiteLLM's rules, and a wrong key is a plain failure, never a wrong value."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deployments import crypto
from tests import litellm_crypto as oracle

KEY = "sk-salt-for-tests-1234"


@pytest.fixture(autouse=True)
def oracle_key():
    oracle.SALT_KEY, oracle.GENERAL_SETTINGS = KEY, {}
    yield
    oracle.SALT_KEY, oracle.GENERAL_SETTINGS = None, {}


@pytest.mark.parametrize("algorithm", [None, "aes-256-gcm", "AES-256-GCM", "xsalsa20-poly1305"])
@settings(max_examples=25, deadline=None)
@given(value=st.text())
def test_litellm_ciphertext_opens_in_the_console(algorithm, value):
    oracle.GENERAL_SETTINGS = {"encryption_algorithm": algorithm} if algorithm else {}
    stored = oracle.encrypt_value_helper(value)
    assert stored.startswith(crypto.V2_GCM_PREFIX) == (algorithm or "").lower().startswith("aes")
    assert crypto.decrypt(stored, KEY) == value


@pytest.mark.parametrize("algorithm", [crypto.ALGO_XSALSA20, crypto.ALGO_AES_GCM])
@settings(max_examples=25, deadline=None)
@given(value=st.text())
def test_console_ciphertext_opens_under_litellms_rules(algorithm, value):
    stored = crypto.encrypt(value, KEY, algorithm)
    assert stored.startswith(oracle.V2_GCM_PREFIX) == (algorithm == crypto.ALGO_AES_GCM)
    assert oracle.decrypt_value_helper(stored, key="api_key") == value


def test_non_strings_pass_through_as_litellm_leaves_them():
    for value in (5, 1.5, None, True, {"a": "b"}):
        assert crypto.encrypt(value, KEY) == oracle.encrypt_value_helper(value) == value
        assert crypto.decrypt(value, KEY) == value


def test_standard_base64_legacy_values_still_open():
    import base64

    raw = oracle.encrypt_value("sk-old", KEY)
    assert crypto.decrypt(base64.b64encode(raw).decode(), KEY) == "sk-old"


@pytest.mark.parametrize("algorithm", [crypto.ALGO_XSALSA20, crypto.ALGO_AES_GCM])
def test_a_wrong_key_fails_plainly(algorithm):
    stored = crypto.encrypt("sk-provider-secret", KEY, algorithm)
    with pytest.raises(crypto.DecryptionFailed) as failure:
        crypto.decrypt(stored, "another-key")
    assert "sk-provider-secret" not in str(failure.value)
    oracle.SALT_KEY = "another-key"
    assert oracle.decrypt_value_helper(stored, key="api_key") is None  # LiteLLM gives up the same way


def test_params_decrypt_keeps_failures_out():
    params = {"model": crypto.encrypt("gpt-4o", KEY), "api_key": crypto.encrypt("x", "other"), "rpm": 10}
    clear, failed = crypto.decrypt_params(params, KEY)
    assert clear == {"model": "gpt-4o", "rpm": 10}
    assert failed == ["api_key"]


def test_salt_key_falls_back_to_the_master_key(settings):
    settings.LITELLM_SALT_KEY, settings.LITELLM_MASTER_KEY = None, "sk-master"
    assert crypto.salt_key() == "sk-master"
    settings.LITELLM_SALT_KEY = "salt"
    assert crypto.salt_key() == "salt"
    settings.LITELLM_SALT_KEY = settings.LITELLM_MASTER_KEY = None
    assert crypto.salt_key() is None


def test_algorithm_follows_general_settings(settings):
    settings.LITELLM_ENCRYPTION_ALGORITHM = ""
    assert crypto.encryption_algorithm() == crypto.ALGO_XSALSA20
    assert crypto.encryption_algorithm({"encryption_algorithm": "AES-256-GCM"}) == crypto.ALGO_AES_GCM
    settings.LITELLM_ENCRYPTION_ALGORITHM = "aes-256-gcm"
    assert crypto.encryption_algorithm() == crypto.ALGO_AES_GCM
