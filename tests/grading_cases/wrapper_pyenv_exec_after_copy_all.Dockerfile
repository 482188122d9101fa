# expect: dependency_cache=reinstalled rules=LC002
# why: `pyenv exec python3.11 -m pip install -r` runs pip through pyenv, after the broad copy: it reruns on every change
FROM ubuntu:22.04
ENV PYENV_ROOT=/root/.pyenv PATH=/root/.pyenv/shims:/root/.pyenv/bin:$PATH
RUN apt-get update && apt-get install -y --no-install-recommends git curl ca-certificates build-essential \
    && git clone --depth 1 https://github.com/pyenv/pyenv.git $PYENV_ROOT && pyenv install 3.11 && pyenv global 3.11
WORKDIR /opt/project
COPY . .
RUN pyenv exec python3.11 -m pip install --no-cache-dir -r requirements.txt
