# expect: dependency_cache=reinstalled rules=LC001
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
COPY app.py .
RUN <<EOT
set -e
pip install --no-cache-dir -r requirements.txt
EOT
