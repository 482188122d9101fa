# expect: dependency_cache=reinstalled rules=LC001
# why: requirements.txt is installed first, but requirements-plugins.txt is installed with the project after `COPY . .`; its packages are downloaded and installed again on every change despite --no-deps
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN pip install --no-cache-dir --no-deps -r requirements-plugins.txt -e .
