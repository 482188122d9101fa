# expect: dependency_cache=reinstalled rules=LC002
# why: gosu runs pip as the app user; the install after `COPY . .` reruns on every code change
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends gosu && rm -rf /var/lib/apt/lists/* \
    && useradd -m app
WORKDIR /home/app/src
COPY --chown=app:app . .
RUN gosu app pip install --user --no-cache-dir -r requirements.txt
