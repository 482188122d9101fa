# expect: dependency_cache=reinstalled rules=LC002
# why: the heredoc RUN holds the pip install; after `COPY . .` it reruns on every change (heredocs need the Dockerfile frontend 1.4 or newer)
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN <<EOF
set -eux
python -m pip install --upgrade pip
pip install --no-cache-dir -r requirements.txt
EOF
