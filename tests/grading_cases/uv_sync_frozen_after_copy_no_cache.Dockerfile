# expect: dependency_cache=reinstalled rules=LC005
# why: `uv sync` of the project with all its dependencies runs only after `COPY . .`, with no dependency-only sync before it and no cache mount
FROM python:3.12-slim
COPY --from=ghcr.io/astral-sh/uv:0.5 /uv /bin/uv
WORKDIR /app
COPY . .
RUN uv sync --frozen --no-dev
CMD ["uv", "run", "main.py"]
