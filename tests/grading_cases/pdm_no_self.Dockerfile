# expect: dependency_cache=kept rules=
FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml pdm.lock ./
RUN pdm install --prod --no-self
COPY . .
RUN pdm install --prod
