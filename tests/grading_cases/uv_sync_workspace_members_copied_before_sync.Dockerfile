# expect: dependency_cache=reinstalled rules=LC005
# why: `uv sync --all-packages` installs the workspace members themselves, so their folders (their code) are copied before it; editing any member reruns the sync and every dependency with it (the fix: `--no-install-workspace` first)
FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim
WORKDIR /app
COPY services /app/services
COPY pyproject.toml /app/pyproject.toml
COPY uv.lock /app/uv.lock
RUN uv sync --all-packages --frozen
CMD ["uv", "run", "serve"]
