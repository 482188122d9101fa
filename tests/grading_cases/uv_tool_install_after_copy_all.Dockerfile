# expect: dependency_cache=reinstalled rules=LC005
# why: `uv tool install .` installs the project and its dependencies into a tool venv of its own, after `COPY . .`: every code change reinstalls everything
FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim
WORKDIR /src
COPY . .
RUN uv tool install .
ENTRYPOINT ["mycli"]
