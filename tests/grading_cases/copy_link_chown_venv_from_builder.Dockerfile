# expect: dependency_cache=kept rules=
# why: the venv is filled from requirements.txt in the builder and copied with --link and --chown; `COPY --link . .` brings the code after, and no install follows it
FROM python:3.11-slim AS build
ARG VENV=/opt/app-venv
RUN python -m venv ${VENV}
COPY requirements.txt /tmp/requirements.txt
RUN ${VENV}/bin/pip install --no-cache-dir -r /tmp/requirements.txt

FROM python:3.11-slim
ARG VENV=/opt/app-venv
RUN useradd -m app
COPY --link --chown=app:app --from=build ${VENV} ${VENV}
ENV PATH=${VENV}/bin:$PATH
WORKDIR /home/app
COPY --link --chown=app:app . .
USER app
