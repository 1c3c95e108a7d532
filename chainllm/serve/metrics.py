"""Prometheus metrics, one registry per app (the names the Grafana dashboard in deploy/ reads)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("chainllm_http_requests_total", "HTTP requests answered",
                                ["route", "method", "status"], registry=r)  # fmt: skip
        self.latency = Histogram(
            "chainllm_http_request_duration_seconds", "Time to answer a request", ["route", "method"], registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
        )  # fmt: skip
        self.in_flight = Gauge("chainllm_http_in_flight", "Requests being answered", registry=r)
        self.jobs = Gauge("chainllm_jobs", "Generation jobs by state", ["state"], registry=r)
        self.jobs_finished = Counter("chainllm_jobs_finished_total", "Finished jobs", ["status"], registry=r)
        self.rate_limited = Counter("chainllm_rate_limited_total", "Requests refused by the rate limit (429)",
                                    ["route"], registry=r)  # fmt: skip
        self.overloaded = Counter("chainllm_overload_rejections_total", "Requests refused as busy (503)",
                                  ["route", "reason"], registry=r)  # fmt: skip
        self.auth_failures = Counter(
            "chainllm_auth_failures_total", "Refused credentials", ["reason"], registry=r
        )
        self.timeouts = Counter("chainllm_request_timeouts_total", "Requests over the time limit (504)",
                                ["route"], registry=r)  # fmt: skip
        self.upstream_errors = Counter("chainllm_upstream_errors_total", "RPC/IPFS failures (502)",
                                       ["route"], registry=r)  # fmt: skip
        self.scored = Counter(
            "chainllm_scored_transactions_total", "Transactions scored", ["verdict"], registry=r
        )
        for s in ("queued", "running"):
            self.jobs.labels(s).set(0)

    def set_jobs(self, queued: int, running: int) -> None:
        self.jobs.labels("queued").set(queued)
        self.jobs.labels("running").set(running)
