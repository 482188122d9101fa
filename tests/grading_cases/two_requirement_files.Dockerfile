# expect: dependency_cache=reinstalled rules=LC002,LC003
FROM python:3.12-slim
WORKDIR /app
COPY --chown=1000:1000 . .
RUN pip install --no-cache-dir -r requirements.txt
RUN pip install --no-cache-dir -r requirements-dev.txt
