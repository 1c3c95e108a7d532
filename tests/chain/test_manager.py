from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainllm.chain.connect import make_web3
from chainllm.cli import cli
from chainllm.errors import BadInputError, ServiceError
from chainllm.services import manager


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def test_start_is_idempotent_and_stop_leaves_no_process(tmp_path: Path) -> None:
    port = manager.free_port()
    st = manager.start("anvil", data_dir=tmp_path, port=port)
    try:
        assert st.running and st.healthy and st.port == port and st.pid
        assert make_web3(st.url or "").eth.chain_id == 31337
        again = manager.start("anvil", data_dir=tmp_path)
        assert again.pid == st.pid  # no second process
        state = json.loads((tmp_path / "services" / "anvil" / "service.json").read_text())
        assert state["pid"] == st.pid and state["port"] == port
        with pytest.raises(ServiceError, match="already runs on port"):
            manager.start("anvil", data_dir=tmp_path, port=manager.free_port())
    finally:
        stopped = manager.stop("anvil", data_dir=tmp_path)
    assert not stopped.running
    assert not _alive(st.pid or 0)
    assert not (tmp_path / "services" / "anvil" / "service.json").exists()
    assert (tmp_path / "services" / "anvil" / "state.json").exists()  # chain dumped on SIGTERM
    assert manager.stop("anvil", data_dir=tmp_path).running is False  # stopping twice is fine


def test_port_taken_by_another_process_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(ServiceError, match=f"port {port} on 127.0.0.1 is taken"):
            manager.start("anvil", data_dir=tmp_path, port=port)
    assert not (tmp_path / "services" / "anvil" / "service.json").exists()


def test_stale_pid_file_is_not_running(tmp_path: Path) -> None:
    sdir = tmp_path / "services" / "anvil"
    sdir.mkdir(parents=True)
    # pid 1 exists but is not anvil: must not be reported (or killed) as ours
    (sdir / "service.json").write_text(json.dumps({"pid": 1, "port": 1, "url": "x", "argv": ["/x/anvil"]}))
    assert manager.status("anvil", data_dir=tmp_path).running is False


def test_unknown_service() -> None:
    with pytest.raises(BadInputError, match="unknown service 'geth'"):
        manager.status("geth")


def test_cli_up_status_down_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINLLM_DATA_DIR", str(tmp_path))
    port = manager.free_port()
    runner = CliRunner()
    r = runner.invoke(cli, ["services", "up", "anvil", "--port", str(port), "--json"])
    try:
        assert r.exit_code == 0, r.output
        up = json.loads(r.stdout)[0]
        assert up["healthy"] and up["url"] == f"http://127.0.0.1:{port}"
        st = json.loads(runner.invoke(cli, ["services", "status", "anvil", "--json"]).stdout)[0]
        assert st["pid"] == up["pid"] and st["healthy"]
    finally:
        r = runner.invoke(cli, ["services", "down", "--wipe", "anvil", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)[0]["running"] is False
    assert not (tmp_path / "services" / "anvil").exists()
    assert not _alive(up["pid"])
