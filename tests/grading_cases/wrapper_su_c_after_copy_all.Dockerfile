# expect: dependency_cache=reinstalled rules=LC002
# why: the install runs through `su -c` after `COPY . .`, so it reruns and reinstalls on every change
FROM python:3.12-slim
RUN useradd -m worker
COPY --chown=worker . /home/worker/app
RUN su -s /bin/sh -c 'cd /home/worker/app && pip install --user --no-cache-dir -r requirements.txt' worker
