# expect: dependency_cache=reinstalled rules=LC002
# why: `--no-cache-dir` turns pip's cache off, so the cache mount gives nothing to the install that reruns after `COPY . .`
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir -r requirements.txt
