# expect: dependency_cache=reinstalled-with-cache rules=LC002
# why: `USER root` comes back before the install, so pip runs as root and uses the mounted /root/.cache/pip when it reruns after `COPY . .`
FROM python:3.11-slim
RUN useradd -m app
USER app
WORKDIR /home/app
USER root
COPY . /srv
RUN --mount=type=cache,target=/root/.cache/pip pip install -r /srv/requirements.txt
USER app
