.PHONY: setup demo test lint
setup:
	./scripts/setup.sh
demo: setup
	.venv/bin/chainllm demo
test:
	./scripts/test.sh
lint: setup
	.venv/bin/ruff check chainllm tests bench && .venv/bin/mypy
