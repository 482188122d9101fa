# expect: dependency_cache=kept rules=
# why: a heredoc RUN makes a stub package and installs the project with its dependencies from setup.py alone; the package's code is copied after (heredocs need the Dockerfile frontend 1.4 or newer)
FROM python:3.11-slim
WORKDIR /app
COPY setup.py .
RUN <<EOT
set -e
mkdir -p tool
touch tool/__init__.py
pip install --no-cache-dir -e .
EOT
COPY tool/ tool/
