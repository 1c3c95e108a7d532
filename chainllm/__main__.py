"""`python -m chainllm` runs the CLI."""

from chainllm.cli import main

main()
