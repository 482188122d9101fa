# expect: dependency_cache=kept rules=
# why: `time` only measures the install, which reads requirements.txt alone before the source copy
FROM python:3.11
SHELL ["/bin/bash", "-c"]
WORKDIR /app
COPY requirements.txt .
RUN time pip install --no-cache-dir -r requirements.txt
COPY . .
