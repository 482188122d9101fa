# expect: dependency_cache=kept rules=
# why: variables name the paths (APP_HOME, REQS) but the install still reads only the requirements folder, copied with --chown before a `COPY --link` of the source
FROM python:3.12-slim
ARG APP_HOME=/srv/app
ARG REQS=requirements
RUN useradd -m app
WORKDIR $APP_HOME
COPY --chown=app:app ${REQS}/ ${APP_HOME}/${REQS}/
RUN pip install --no-cache-dir -r ${APP_HOME}/${REQS}/prod.txt
COPY --link --chown=app:app . .
USER app
