# expect: dependency_cache=kept rules=
# why: install.sh (see the context) runs `pip install -r requirements.txt`; the script and the requirements are copied by name before the source, so a code change leaves the step cached
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt install.sh ./
RUN sh install.sh
COPY . .
