# expect: dependency_cache=kept rules=
# why: `uv pip sync` reads only the compiled requirements.txt, copied alone before the source
FROM python:3.12-slim
COPY --from=ghcr.io/astral-sh/uv:0.5 /uv /bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_SYSTEM_PYTHON=1
WORKDIR /app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/uv uv pip sync requirements.txt
COPY . .
CMD ["uvicorn", "api.main:app", "--host", "0.0.0.0"]
