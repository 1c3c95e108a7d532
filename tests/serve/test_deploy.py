"""deploy/ and the compose service stay in step with the code: every metric the dashboard
reads is one the server exports, every flag the manifests pass is a `serve` option."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from chainllm.cli.serve import serve
from chainllm.serve.metrics import Metrics

ROOT = Path(__file__).resolve().parents[2]


def _exported() -> set[str]:
    from prometheus_client import generate_latest

    m = Metrics()  # children appear once labelled: touch one of each
    m.requests.labels("/x", "GET", "200").inc()
    m.latency.labels("/x", "GET").observe(0.1)
    m.jobs_finished.labels("done").inc()
    for c in (m.rate_limited, m.timeouts, m.upstream_errors):
        c.labels("/x").inc()
    m.overloaded.labels("/x", "busy").inc()
    m.auth_failures.labels("missing").inc()
    m.scored.labels("benign").inc()
    text = generate_latest(m.registry).decode()
    return {ln.split("{")[0].split(" ")[0] for ln in text.splitlines() if ln and not ln.startswith("#")}


def _serve_flags() -> set[str]:
    return {o for p in serve.params for o in getattr(p, "opts", [])}


def test_dashboard_reads_exported_metrics() -> None:
    dash = json.loads((ROOT / "deploy/grafana/chainllm-serve.json").read_text())
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    used = {n for e in exprs for n in re.findall(r"chainllm_[a-z_]+", e)}
    assert used and used <= _exported(), used - _exported()
    assert len({p["id"] for p in dash["panels"]}) == len(dash["panels"])


def test_manifests_use_real_flags_and_routes() -> None:
    docs = list(yaml.safe_load_all((ROOT / "deploy/kubernetes/chainllm-serve.yaml").read_text()))
    assert [d["kind"] for d in docs] == ["Deployment", "Service"]
    ctr = docs[0]["spec"]["template"]["spec"]["containers"][0]
    flags = _serve_flags()
    assert all(a.split("=")[0] in flags for a in ctr["args"])
    assert ctr["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert ctr["readinessProbe"]["httpGet"]["path"] == "/readyz"
    envs = {e["name"] for e in ctr["env"]}
    envvars = {p.envvar for p in serve.params if getattr(p, "envvar", None)}
    assert envs <= envvars, envs - envvars
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    svc = compose["services"]["serve"]
    assert all(a.split("=")[0] in flags for a in svc["command"])
    assert svc["ports"] == ["127.0.0.1:8000:8000"]  # loopback only, like anvil and Kubo
    assert "serve" in (ROOT / "deploy/Dockerfile").read_text()
