# expect: dependency_cache=reinstalled-with-cache rules=LC002
# why: `COPY . .` brings requirements.txt with the code, so `uv pip sync` reruns on every code change; its cache mount spares the downloads, not the install
FROM python:3.12-slim
COPY --from=ghcr.io/astral-sh/uv:0.5 /uv /bin/uv
ENV UV_SYSTEM_PYTHON=1
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/root/.cache/uv uv pip sync requirements.txt
CMD ["python", "main.py"]
