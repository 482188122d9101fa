# expect: dependency_cache=kept rules=
# why: the devcontainer copies only requirements.txt to /tmp/pip-tmp and installs it; the workspace is mounted at run time, not copied
FROM mcr.microsoft.com/devcontainers/python:1-3.12-bullseye
COPY requirements.txt /tmp/pip-tmp/
RUN pip3 --disable-pip-version-check --no-cache-dir install -r /tmp/pip-tmp/requirements.txt \
    && rm -rf /tmp/pip-tmp
