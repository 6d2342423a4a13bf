"""Usage: daily user/team/tag rows whose per-day totals agree, spend logs for the last days that
sum to those days' rows, and a few error logs."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from .catalog import API_BASES, END_USERS, ENDPOINTS, LOG_DAYS, MODEL_BY_GROUP, MODELS
from .keys import DemoKey
from .rows import money


class SpendMixin:
    # -- usage -------------------------------------------------------------------------------
    def _tokens(self, group: str) -> tuple[int, int, int]:
        if group.startswith("text-embedding"):
            return int(self.rng.uniform(200, 2000)), 0, 0
        prompt = int(self.rng.lognormvariate(8.4, 0.8))
        completion = int(self.rng.lognormvariate(6.0, 0.6))
        cached = int(prompt * self.rng.uniform(0.2, 0.6)) if self.rng.random() < 0.25 else 0
        return prompt, completion, cached

    def _cost(self, group: str, prompt: int, completion: int) -> float:
        _, _, _, p_in, p_out, _ = MODEL_BY_GROUP[group]
        return prompt * p_in / 1e6 + completion * p_out / 1e6

    def make_usage(self):
        """Daily rows keyed (key, model, date): one user row, one team row and one tag row each,
        so a day's totals agree across the three tables. The last LOG_DAYS days are built from
        individual spend logs; older days from sampled aggregates of the same volume."""
        working = [k for k in self.keys if k.weight > 0]
        total_weight = sum(k.weight for k in working) or 1.0
        per_day = max(1.0, self.n_logs / LOG_DAYS)
        log_start = self.today - timedelta(days=LOG_DAYS - 1)
        self.daily: dict[tuple, dict] = {}
        team_alias = {t["team_id"]: t["team_alias"] for t in self.teams.values()}
        deployments = {m[1]: self.ids.uuid() for m in MODELS}
        self.deployments = deployments
        end_users = [e[0] for e in END_USERS]

        def bucket(key: DemoKey, group: str, day: str, tag: str) -> dict:
            slot = (key.token, group, day)
            if slot not in self.daily:
                self.daily[slot] = {
                    "key": key,
                    "group": group,
                    "date": day,
                    "tag": tag,
                    "prompt_tokens": 0,
                    "completion_tokens": 0,
                    "cache_read_input_tokens": 0,
                    "cache_creation_input_tokens": 0,
                    "spend": 0.0,
                    "api_requests": 0,
                    "successful_requests": 0,
                    "failed_requests": 0,
                    "total_response_time_ms": 0,
                    "timed_requests": 0,
                }
            return self.daily[slot]

        # Older days: aggregates. Volume grows over the period and dips on weekends.
        for back in range(LOG_DAYS, self.days):
            day = self.today - timedelta(days=back)
            growth = 0.55 + 0.45 * (1 - back / max(self.days, 1))
            weekend = 0.35 if day.weekday() >= 5 else 1.0
            for key in working:
                if not (key.created_at <= day + timedelta(days=1) and key.active_until >= day):
                    continue
                expected = per_day * growth * weekend * key.weight / total_weight
                if self.rng.random() > min(1.0, 0.3 + expected):
                    continue
                requests = max(1, int(self.rng.expovariate(1 / max(expected, 0.5))))
                for group in key.models:
                    share = requests if len(key.models) == 1 else max(1, requests // len(key.models))
                    row = bucket(key, group, day.date().isoformat(), self.rng.choice(key.tags))
                    failed = sum(1 for _ in range(min(share, 50)) if self.rng.random() < 0.03)
                    prompt, completion, cached = self._tokens(group)
                    row["prompt_tokens"] += prompt * share
                    row["completion_tokens"] += completion * share
                    row["cache_read_input_tokens"] += cached * share
                    row["api_requests"] += share
                    row["failed_requests"] += failed
                    row["successful_requests"] += share - failed
                    row["spend"] += self._cost(group, prompt, completion) * (share - failed)
                    latency = int(self.rng.uniform(400, 4000))
                    row["total_response_time_ms"] += latency * (share - failed)
                    row["timed_requests"] += share - failed
                    key.last_active = max(key.last_active or day, day + timedelta(hours=self.rng.uniform(8, 20)))

        # The last LOG_DAYS days: one spend log per request, summed into the daily rows.
        window = (self.now - log_start).total_seconds()
        self.rows["spend_log"] = []
        for _ in range(self.n_logs):
            start = log_start + timedelta(seconds=self.rng.uniform(0, window))
            start = start.replace(microsecond=(start.microsecond // 1000) * 1000)
            live = [k for k in working if k.created_at <= start <= k.active_until]
            if not live:
                continue
            key = self.rng.choices(live, weights=[k.weight for k in live])[0]
            group = self.rng.choice(key.models)
            model, _, provider, _, _, call_type = MODEL_BY_GROUP[group]
            failed = self.rng.random() < 0.03
            prompt, completion, cached = self._tokens(group)
            if failed:
                completion, cached = 0, 0
            spend = 0.0 if failed else money(self._cost(group, prompt, completion))  # as the log stores it
            latency = int(self.rng.uniform(300, 5000))
            end = start + timedelta(milliseconds=latency)
            row = bucket(key, group, start.date().isoformat(), self.rng.choice(key.tags))
            tag = row["tag"]  # one tag per daily slot keeps the tag table's totals equal to the others
            row["prompt_tokens"] += prompt
            row["completion_tokens"] += completion
            row["cache_read_input_tokens"] += cached
            row["api_requests"] += 1
            row["failed_requests" if failed else "successful_requests"] += 1
            row["spend"] += spend
            if not failed:
                row["total_response_time_ms"] += latency
                row["timed_requests"] += 1
            key.last_active = max(key.last_active or start, end)
            status = "failure" if failed else "success"
            request_id = f"chatcmpl-{self.ids.uuid()}" if provider == "openai" else self.ids.uuid()
            end_user = self.rng.choice(end_users) if key.team_id and self.rng.random() < 0.15 else ""
            metadata = {
                "user_api_key": key.token,
                "user_api_key_alias": key.alias,
                "user_api_key_team_id": key.team_id,
                "user_api_key_org_id": key.org_id,
                "user_api_key_user_id": key.user_id,
                "user_api_key_team_alias": team_alias.get(key.team_id),
                "spend_logs_metadata": None,
                "requester_ip_address": "",
                "status": status,
            }
            if failed:
                metadata["error_information"] = {
                    "error_code": "429",
                    "error_class": "RateLimitError",
                    "llm_provider": provider,
                    "error_message": f"litellm.RateLimitError: {provider} rate limit exceeded",
                }
            self.rows["spend_log"].append(
                {
                    "request_id": request_id,
                    "call_type": call_type,
                    "api_key": key.token,
                    "spend": money(spend),
                    "total_tokens": prompt + completion,
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "start_time": start,
                    "end_time": end,
                    "completion_start_time": start + timedelta(milliseconds=latency // 3) if not failed else None,
                    "model": model,
                    "model_id": deployments[group],
                    "model_group": group,
                    "custom_llm_provider": provider,
                    "api_base": API_BASES[provider],
                    "user": key.user_id or "",
                    "metadata": metadata,
                    "cache_hit": "False",
                    "cache_key": "Cache OFF",
                    "request_tags": [tag],
                    "team_id": key.team_id,
                    "end_user": end_user,
                    "requester_ip_address": "",
                    "messages": {},
                    "response": {},
                    "proxy_server_request": {},
                    "session_id": None,
                    "status": status,
                    "organization_id": key.org_id,
                    "request_duration_ms": latency,
                    "litellm_call_id": self.ids.uuid(),
                    "created_at": end,
                    "updated_at": end,
                }
            )
            if failed and len(self.rows["error_log"]) < 25:
                self.rows["error_log"].append(
                    {
                        "request_id": request_id,
                        "start_time": start,
                        "end_time": end,
                        "api_base": API_BASES[provider],
                        "model_group": group,
                        "litellm_model_name": f"{provider}/{model}",
                        "model_id": deployments[group],
                        "request_kwargs": {"model": group, "user": key.user_id or ""},
                        "exception_type": "RateLimitError",
                        "exception_string": f"litellm.RateLimitError: {provider} rate limit exceeded for {model}",
                        "status_code": "429",
                    }
                )

        for row in self.daily.values():
            key: DemoKey = row["key"]
            group = row["group"]
            model, _, provider, _, _, call_type = MODEL_BY_GROUP[group]
            row["spend"] = money(row["spend"])
            key.spend_by_day[row["date"]] += row["spend"]
            key.spend_by_model[group] += row["spend"]
            updated = datetime.fromisoformat(row["date"]) + timedelta(hours=23, minutes=59)
            common = {
                "date": row["date"],
                "api_key": key.token,
                "model": model,
                "model_group": group,
                "custom_llm_provider": provider,
                "prompt_tokens": row["prompt_tokens"],
                "completion_tokens": row["completion_tokens"],
                "cache_read_input_tokens": row["cache_read_input_tokens"],
                "cache_creation_input_tokens": row["cache_creation_input_tokens"],
                "spend": row["spend"],
                "api_requests": row["api_requests"],
                "successful_requests": row["successful_requests"],
                "failed_requests": row["failed_requests"],
                "created_at": datetime.fromisoformat(row["date"]),
                "updated_at": min(updated, self.now),
                # Newest schema only (dropped by _copy on the seed-era one); the proxy writes ''
                # for "none" in the unique-key columns.
                "mcp_namespaced_tool_name": "",
                "endpoint": ENDPOINTS[call_type],
                "total_response_time_ms": row["total_response_time_ms"],
                "timed_requests": row["timed_requests"],
            }
            self.rows["daily_user"].append({"id": self.ids.uuid(), "user_id": key.user_id or "", **common})
            self.rows["daily_team"].append({"id": self.ids.uuid(), "team_id": key.team_id or "", **common})
            self.rows["daily_tag"].append({"id": self.ids.uuid(), "tag": row["tag"], **common})
        # End users: what their requests cost.
        spent = defaultdict(float)
        for log in self.rows["spend_log"]:
            if log["end_user"]:
                spent[log["end_user"]] += log["spend"]
        for row in self.rows["end_user"]:
            row["spend"] = money(spent[row["user_id"]])
