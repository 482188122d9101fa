# expect: dependency_cache=reinstalled rules=LC002
# why: PIP_CACHE_DIR points pip at /var/cache/pip, so the cache mount on /root/.cache/pip stays empty; the install after `COPY . .` downloads everything on every change
FROM python:3.11-slim
ENV PIP_CACHE_DIR=/var/cache/pip
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
