# expect: dependency_cache=kept rules=
FROM --platform=$BUILDPLATFORM python:3.12-slim AS base
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM base
WORKDIR /app
COPY . .
