# expect: dependency_cache=reinstalled rules=LC002
# why: `--requirement=requirements.txt` is -r spelled long; after `ADD . /srv` the listed packages are installed again on every code change
FROM python:3.11-slim
ADD . /srv
WORKDIR /srv
RUN python -m pip install --no-cache-dir --no-deps --requirement=requirements.txt
