"""The main job: every capability end to end on the embedded defaults.

Each stage runs the real ``chainllm`` command a user would type (so the demo proves the
CLI, not a private shortcut), records its JSON answer under ``<workdir>/stages/`` and is
skipped on a re-run once that record exists. Services the demo starts, it stops.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chainllm import config
from chainllm.errors import ChainLLMError
from chainllm.io import atomic_write
from chainllm.services import manager

GENERATE_PROMPT = "ERC20 named Acme, symbol ACM, 1M supply, burnable, pausable by owner"


@dataclass(frozen=True)
class DemoSettings:
    workdir: Path
    small: bool = False  # CI: tiny model, few transactions, local corpus source
    seed: int = 7
    force: bool = False
    keep_services: bool = False
    anvil_port: int | None = None
    ipfs_port: int | None = None


@dataclass
class StageResult:
    name: str
    seconds: float
    skipped: bool
    output: Any
    artefacts: dict[str, str] = field(default_factory=dict)


Log = Callable[[str], None]


class StageFailed(ChainLLMError):
    pass


def _chainllm() -> list[str]:
    exe = Path(sys.executable).with_name("chainllm")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "chainllm"]


class Demo:
    def __init__(self, settings: DemoSettings, log: Log) -> None:
        self.s = settings
        self.log = log
        self.stages_dir = settings.workdir / "stages"
        self.results: list[StageResult] = []
        self.started_services: list[str] = []
        self.rpc = ""
        self.ipfs = ""

    # -- plumbing -------------------------------------------------------------------------
    def run_cli(self, *args: str, timeout: float = 3600) -> Any:
        cmd = [*_chainllm(), *args]
        self.log("  $ chainllm " + " ".join(args))
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=None, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise StageFailed(
                f"`chainllm {' '.join(args)}` exited {proc.returncode}", hint="its error is printed above"
            )
        try:
            return json.loads(proc.stdout)
        except json.JSONDecodeError:
            pass
        try:  # JSON lines (one object per input, as `score` prints them)
            return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        except json.JSONDecodeError:
            return proc.stdout.strip()

    def stage(
        self, name: str, fn: Callable[[], Any], artefacts: Callable[[Any], dict[str, str]] | None = None
    ) -> Any:
        record = self.stages_dir / f"{name}.json"
        if record.exists() and not self.s.force:
            output = json.loads(record.read_text())
            self.results.append(StageResult(name, 0.0, True, output, artefacts(output) if artefacts else {}))
            self.log(f"[{len(self.results):2}] {name}: done before, skipped ({record})")
            return output
        self.log(f"[{len(self.results) + 1:2}] {name} ...")
        t0 = time.perf_counter()
        output = fn()
        seconds = time.perf_counter() - t0
        self.stages_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(record, json.dumps(output, indent=2, default=str))
        self.results.append(StageResult(name, seconds, False, output, artefacts(output) if artefacts else {}))
        self.log(f"     {name}: {seconds:.1f} s")
        return output

    # -- stages ---------------------------------------------------------------------------
    def services_up(self) -> dict[str, Any]:
        out = {}
        for name, port in (("anvil", self.s.anvil_port), ("ipfs", self.s.ipfs_port)):
            before = manager.status(name)
            st = manager.start(name, port=port)
            if not before.running:
                self.started_services.append(name)
            out[name] = st.to_dict()
        self.rpc = out["anvil"]["url"]
        self.ipfs = out["ipfs"]["url"]
        return out

    def run(self) -> list[StageResult]:
        w = self.s.workdir
        w.mkdir(parents=True, exist_ok=True)
        small = self.s.small
        t0 = time.perf_counter()
        try:
            # Services are always (re)checked: they may have stopped since the last run.
            self.log("[ 0] services: anvil + IPFS node on 127.0.0.1")
            svc = self.services_up()
            self.log(f"     anvil {svc['anvil']['url']}, IPFS API {svc['ipfs']['url']}")
            self.stage(
                "simulate",
                lambda: self.run_cli(
                    "simulate",
                    "--rpc",
                    self.rpc,
                    "--seed",
                    str(self.s.seed),
                    "--txs",
                    "150" if small else "600",
                    "--out",
                    str(w / "labels"),
                    "--json",
                ),
                lambda o: {"labels": str(w / "labels")},
            )
            self.stage(
                "crawl-txs",
                lambda: self.run_cli(
                    "crawl",
                    "txs",
                    "--rpc",
                    self.rpc,
                    "--from-block",
                    "0",
                    "--out",
                    str(w / "crawl"),
                    "--json",
                ),
                lambda o: {"chain tables": str(w / "crawl")},
            )
            self.stage(
                "train-fraud",
                lambda: self.run_cli(
                    "train",
                    "fraud",
                    "--labels",
                    str(w / "labels"),
                    "--rpc",
                    self.rpc,
                    "--out",
                    str(w / "fraud-model"),
                    "--overwrite",
                    # The LoRA classifier runs in both modes; its size is what keeps the demo short on a CPU.
                    "--llm-base",
                    "tiny" if small else "smollm2-135m",
                    "--llm-max-rows",
                    "100" if small else "80",
                    "--llm-epochs",
                    "1",
                    "--json",
                ),
                lambda o: {"fraud model": str(w / "fraud-model")},
            )
            # Small mode reads OpenZeppelin (MIT) from the installed npm tools: no network needed.
            corpus_args = (
                [f"dir:{config.node_root() / 'node_modules' / '@openzeppelin' / 'contracts'}"]
                if small
                else []
            )
            self.stage(
                "build-corpus",
                lambda: self.run_cli("crawl", "sources", *corpus_args, "--out", str(w / "corpus"), "--json"),
                lambda o: {"corpus": str(w / "corpus")},
            )
            self.stage(
                "train-generator",
                lambda: self.run_cli(
                    "train",
                    "generator",
                    "--base",
                    "tiny" if small else "smollm2-135m",
                    "--corpus",
                    str(w / "corpus"),
                    "--out",
                    str(w / "adapter"),
                    # Briefly: on a CPU the bundled 135M model trains at tens of tokens/s
                    # (docs/benchmarks.md); `chainllm train generator` alone runs longer.
                    "--max-steps",
                    "4" if small else "12",
                    "--batch-size",
                    "2",
                    "--context-length",
                    "256",
                    "--eval-every",
                    "6",
                    "--eval-batches",
                    "2",
                    "--json",
                ),
                lambda o: {"LoRA adapter": str(w / "adapter")},
            )
            self.stage("registry", lambda: self.run_cli("registry", "deploy", "--rpc", self.rpc, "--json"))
            pub = self.stage(
                "publish",
                lambda: self.run_cli(
                    "publish", str(w / "adapter"), "--rpc", self.rpc, "--ipfs", self.ipfs, "--json"
                ),
            )
            cid = pub.get("cid") if isinstance(pub, dict) else None
            self.stage(
                "verify",
                lambda: self.run_cli("verify", str(cid), "--rpc", self.rpc, "--ipfs", self.ipfs, "--json"),
            )
            # Both models are used the way a user who downloads them would: by CID, pulled from
            # IPFS and verified against the on-chain record before any weight loads.
            self.stage(
                "generate",
                lambda: self.run_cli(
                    # The adapter just published backs the model-written parts (custom functions).
                    "generate",
                    GENERATE_PROMPT,
                    "--base",
                    "tiny" if small else "smollm2-135m",
                    "--adapter",
                    str(cid),
                    "--out",
                    str(w / "Acme.sol"),
                    "--force",
                    "--json",
                ),
                lambda o: {"contract": str(w / "Acme.sol")},
            )
            fraud_pub = self.stage(
                "publish-fraud-model",
                lambda: self.run_cli(
                    "publish", str(w / "fraud-model"), "--rpc", self.rpc, "--ipfs", self.ipfs, "--json"
                ),
            )
            fraud_cid = fraud_pub.get("cid") if isinstance(fraud_pub, dict) else None
            self.stage("score", lambda: self.score_examples(str(fraud_cid)))
        finally:
            if not self.s.keep_services:
                for name in self.started_services:
                    manager.stop(name)
                    self.log(f"stopped {name} (started by this run)")
            elif self.started_services:
                self.log("services left running: stop them with `chainllm services down`")
        self.log(f"total {time.perf_counter() - t0:.1f} s")
        return self.results

    def score_examples(self, fraud_cid: str) -> Any:
        import pyarrow.parquet as pq

        table = pq.read_table(self.s.workdir / "labels" / "tx_labels.parquet").to_pylist()
        # An everyday user's transfer late in the run (set-up funding at block 1 is untypical),
        # and a scam transaction that went through.
        benign = next(
            r["tx_hash"]
            for r in reversed(table)
            if r["label"] == "benign" and r.get("role") == "user" and r.get("category") == "transfer"
        )
        malicious = next(
            r["tx_hash"] for r in reversed(table) if r["label"] == "malicious" and r.get("status", 1) == 1
        )
        labels = self.s.workdir / "labels"
        return self.run_cli(
            "score",
            benign,
            malicious,
            "--rpc",
            self.rpc,
            "--adapter",
            fraud_cid,
            "--ipfs",
            self.ipfs,
            "--labels",
            str(labels),
            "--json",
        )


def default_workdir() -> Path:
    return config.data_dir() / "demo"


def clean(workdir: Path) -> None:
    if workdir.exists():
        shutil.rmtree(workdir)


def environment_note() -> str:
    return f"python {sys.version.split()[0]}, {os.cpu_count()} cores, data dir {config.data_dir()}"
