# expect: dependency_cache=kept rules=
# why: `pdm install --no-self` reads pyproject.toml and pdm.lock only; the final stage copies .venv and the source, then `pdm install` finds the locked packages present and installs only the project
FROM python:3.12-slim AS builder
RUN pip install --no-cache-dir pdm
WORKDIR /project
COPY pyproject.toml pdm.lock ./
RUN pdm install --prod --frozen-lockfile --no-self

FROM python:3.12-slim
RUN pip install --no-cache-dir pdm
WORKDIR /project
COPY --from=builder /project/.venv /project/.venv
COPY . .
RUN pdm install --prod --frozen-lockfile
CMD ["pdm", "run", "start"]
