# expect: dependency_cache=reinstalled-with-cache rules=LC002
# why: the cache mount is on the directory PIP_CACHE_DIR names, so the install that reruns after `COPY . .` reuses the downloaded wheels
FROM python:3.11-slim
ARG CACHE=/var/cache/pip
ENV PIP_CACHE_DIR=${CACHE}
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=${CACHE} pip install -r requirements.txt
