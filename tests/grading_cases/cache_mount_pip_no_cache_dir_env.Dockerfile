# expect: dependency_cache=reinstalled rules=LC002
# why: PIP_NO_CACHE_DIR=1 in the environment turns pip's cache off; the cache mount spares nothing when the install reruns after `COPY . .`
FROM python:3.12-slim
ENV PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
