# expect: dependency_cache=kept rules=LC006
FROM python:3.12-slim
ARG GIT_SHA
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
LABEL revision=$GIT_SHA
