"""docs/cli.md documents every command and every option (regenerate it with
`python -m chainllm.cli.reference > docs/cli.md`)."""

from __future__ import annotations

from chainllm.cli import cli
from chainllm.cli.reference import option_names, walk
from chainllm.config import REPO_ROOT


def test_every_command_and_option_is_documented() -> None:
    doc = (REPO_ROOT / "docs" / "cli.md").read_text()
    missing = []
    for path, cmd in walk(cli):
        heading = f"## `{' '.join(path)}`"
        if heading not in doc:
            missing.append(" ".join(path))
            continue
        section = doc.split(heading, 1)[1].split("\n## `", 1)[0]
        missing += [f"{' '.join(path)} {name}" for name in option_names(cmd) if name not in section]
    assert not missing, f"regenerate docs/cli.md; missing: {missing}"


def test_every_command_has_an_example_or_description() -> None:
    for path, cmd in walk(cli):
        assert (cmd.help or "").strip(), f"{' '.join(path)} has no help text"
