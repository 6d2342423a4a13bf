"""Rows the proxy writes besides people, keys and usage: its model table and config, a short
audit trail, and the legacy and nested shapes older proxies and LiteLLM's UI leave behind."""

from __future__ import annotations

from config import writes
from config.litellm import UI_SESSION_TEAM_ID

from .catalog import DEMO_SALT_KEY, MODELS
from .rows import hash_key

# A made-up provider secret: the demo shows it as "set", never in clear (tests/browser look for it).
DEMO_AZURE_KEY = "azure-demo-secret-0f3c9a7e51d24b68"


class ProxyRowsMixin:
    def make_models_and_config(self):
        """The deployments as /model/new stores them: every string of litellm_params encrypted
        under the demo's salt key (deployments/crypto.py), one Azure deployment with a (fake)
        provider secret, the Anthropic pair in the access group "claude-beta", and a team model
        of ml-research under its internal name."""
        from deployments import crypto
        from deployments.services import PARAM_DEFAULTS

        key = crypto.salt_key() or DEMO_SALT_KEY

        def deployment(model_id, name, params, info, days):
            created = self.ago(days)
            self.rows["proxy_model"].append(
                {
                    "model_id": model_id,
                    "model_name": name,
                    "litellm_params": crypto.encrypt_params(PARAM_DEFAULTS | params, key, crypto.ALGO_XSALSA20),
                    "model_info": {"id": model_id, "db_model": False, "member_auto_router": False, **info},
                    "created_at": created,
                    "updated_at": created,
                    "created_by": self.admin_id,
                    "updated_by": self.admin_id,
                }
            )

        for model, group, provider, p_in, p_out, _ in MODELS:
            params = {
                "model": f"{provider}/{model}",
                "custom_llm_provider": provider,
                "api_key": f"os.environ/{provider.upper()}_API_KEY",
                "input_cost_per_token": p_in / 1e6,
                "output_cost_per_token": p_out / 1e6,
                "rpm": 600,
            }
            info = {"access_groups": ["claude-beta"]} if provider == "anthropic" else {}
            deployment(self.deployments[group], group, params, info, 150)
        deployment(
            self.ids.uuid(),
            "gpt-4o",  # a second deployment of the group, load-balanced by the proxy
            {
                "model": "azure/gpt-4o-eastus",
                "custom_llm_provider": "azure",
                "api_base": "https://acme-eastus.openai.azure.com",
                "api_version": "2024-06-01",
                "api_key": DEMO_AZURE_KEY,
                "tpm": 200000,
            },
            {},
            60,
        )
        team = self.teams["ml-research"]
        public = "research-llama"
        deployment(
            self.ids.uuid(),
            f"model_name_{team['team_id']}_{self.ids.uuid()}",
            {
                "model": "hosted_vllm/meta-llama/Llama-3.1-70B-Instruct",
                "api_base": "https://llm.research.acme.example/v1",
            },
            {"team_id": team["team_id"], "team_public_model_name": public},
            30,
        )
        if team.get("models"):  # append_team_models: the public name joins the team's list
            team["models"] = [*team["models"], public]
        self.rows["config"].append(
            {"param_name": "general_settings", "param_value": {"store_model_in_db": True, "max_parallel_requests": 200}}
        )

    def make_model_requests(self):
        """A few pending model access requests (LiteLLM_UserNotifications)."""
        wanted = [
            (
                "dev@acme.example",
                ["claude-3-5-sonnet", "claude-beta"],
                "Comparing Claude with GPT-4o for the eval suite.",
            ),
            ("intern@acme.example", ["gpt-4o"], "The summarisation notebook needs a larger model."),
            ("lead@acme.example", ["gemini-1.5-pro"], "Long-context experiments for the research team."),
        ]
        for email, models, why in wanted:
            user = self.accounts[email]
            self.rows["user_notification"].append(
                {
                    "request_id": self.ids.uuid(),
                    "user_id": user["user_id"],
                    "models": models,
                    "justification": why,
                    "status": "pending",
                }
            )

    def make_audit_rows(self):
        """A short trail as an enterprise proxy writes it: key, user and team changes."""
        admin = self.accounts["admin@acme.example"]["user_id"]
        tokens = [r for r in self.rows["key"] if r["team_id"] != UI_SESSION_TEAM_ID]
        blocked = [r for r in tokens if r.get("blocked")]
        table = _table_names()
        entries = []
        for row in tokens[-6:]:
            entries.append(
                (
                    row["created_at"],
                    "created",
                    table["key"],
                    row["token"],
                    None,
                    # a GenerateKeyResponse dump: exclude_none, token = token_id = the hash
                    {
                        k: v
                        for k, v in {
                            "key_alias": row["key_alias"],
                            "key_name": row["key_name"],
                            "models": row["models"],
                            "token": row["token"],
                            "token_id": row["token"],
                        }.items()
                        if v is not None
                    },
                )
            )
        for row in blocked[:3]:
            entries.append(
                (
                    row["settings_updated_at"],
                    "blocked",
                    table["key"],
                    row["token"],
                    {"token": row["token"], "key_alias": row["key_alias"], "blocked": None},
                    {},
                )
            )
        team = self.teams["ml-research"]
        entries.append(
            (
                self.ago(20),
                "updated",
                table["team"],
                team["team_id"],
                {"team_alias": team["team_alias"], "max_budget": 1000.0},
                {"max_budget": team["max_budget"]},
            )
        )
        lead = self.accounts["lead@acme.example"]
        entries.append(
            (
                lead["created_at"],
                "created",
                table["user"],
                lead["user_id"],
                None,
                {"user_id": lead["user_id"], "user_email": lead["user_email"], "user_role": lead["user_role"]},
            )
        )
        for moment, action, table_name, object_id, before, updated in entries:
            self.rows["audit"].append(
                {
                    "id": self.ids.uuid(),
                    "updated_at": moment,
                    "changed_by": admin,
                    "changed_by_api_key": hash_key(self.ids.raw_key()),
                    "action": action,
                    "table_name": table_name,
                    "object_id": object_id,
                    "before_value": writes.mask_keys(writes._jsonable(before)) if before is not None else None,
                    "updated_values": writes.mask_keys(writes._jsonable(updated)) if updated is not None else None,
                }
            )

    def make_proxy_shaped_rows(self):
        """Shapes older proxies and LiteLLM's UI write, so the tour renders them: per-model
        budgets in the legacy {"budget_limit", "time_period"} spelling (and one without a
        duration), nested metadata, NULLs and a 255-character alias. Draws nothing from the
        rng, so the rest of the demo stays as it was."""
        legacy = {
            "gpt-4o": {"budget_limit": 5.0, "time_period": "1d"},
            "claude-3-5-sonnet": {"max_budget": 2.5},
            "gpt-4o-mini": {"max_budget": None, "budget_duration": None},
        }
        nested = {
            "tags": ["eval", {"suite": ["mmlu", "gsm8k"], "nightly": True}],
            "owner": {"team": "ml-research", "contacts": [{"name": "Dev", "pager": None}]},
            "notes": None,
        }
        dev = self.accounts["dev@acme.example"]
        for row in self.rows["key"]:
            if row["user_id"] == dev["user_id"] and (row["key_alias"] or "").startswith("dev-notebook"):
                row.update(model_max_budget=legacy, metadata=nested)
        dev["model_max_budget"] = {"gpt-4o": {"budget_limit": 20.0, "time_period": "30d"}}
        dev["metadata"] = {**(dev.get("metadata") or {}), "profile": nested}
        team = self.teams["ml-research"]
        team["metadata"] = {**(team.get("metadata") or {}), "owner": nested["owner"]}
        team["model_max_budget"] = legacy
        # End-user ids come from any API caller's `user` field: one with '/' (the tour opens it).
        self.rows["end_user"].append(
            {
                "user_id": "acct/eu-west/4711",
                "alias": "Northwind EU (id chosen by the caller)",
                "spend": 0.0,
                "allowed_model_region": None,
                "default_model": None,
                "budget_id": None,
                "blocked": False,
                "models": [],
            }
        )
        for row in self.rows["end_user"]:
            if row["user_id"] == "cust-woodgrove":
                row["alias"] = ("Woodgrove Bank, retail and commercial banking, EMEA and APAC shared tenant " * 4)[:255]

    # -- writing -----------------------------------------------------------------------------


def _table_names() -> dict[str, str]:
    from config import litellm

    return {
        "key": litellm.table_name("VerificationToken"),
        "team": litellm.table_name("TeamTable"),
        "user": litellm.table_name("UserTable"),
    }
