# expect: dependency_cache=reinstalled rules=LC002
# why: pip-sync installs what requirements.txt pins; it runs after `COPY . .`, so it reruns on every code change
FROM python:3.11-slim
RUN pip install --no-cache-dir pip-tools
WORKDIR /app
COPY . .
RUN pip-sync requirements.txt
