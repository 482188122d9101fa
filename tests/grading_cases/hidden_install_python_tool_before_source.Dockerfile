# expect: dependency_cache=kept rules=
# why: tools/pip_install.py (see the context) calls pip on requirements.txt; both are copied by name before the source
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt ./
COPY tools/pip_install.py tools/
RUN python tools/pip_install.py
COPY . .
