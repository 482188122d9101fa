# expect: dependency_cache=reinstalled-with-cache rules=LC002
# why: the mount on /root/.cache holds pip's default cache /root/.cache/pip, so the rerun install after `COPY . .` reuses it
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt
