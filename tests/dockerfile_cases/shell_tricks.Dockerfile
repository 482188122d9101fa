FROM python:3.12-slim
WORKDIR /srv
COPY requirements/ requirements/
RUN set -eux; \
    echo "pip install -r not-this.txt"; \
    if [ -f requirements/base.txt ]; then \
        pip install -r requirements/base.txt; \
    fi; \
    for extra in dev test; do pip install -r "requirements/$extra.txt"; done
RUN sh -c 'cd /srv && PIP_NO_CACHE_DIR=1 pip install -c requirements/constraints.txt flask'
RUN sudo -E env PATH="$PATH" python3 -m pip install --user 'gunicorn>=22' # comment
RUN n=$(( 2 + 3 )) && [[ $n -gt 1 ]] && pip3 install --prefix=/install uvicorn
RUN export PIP_NO_CACHE_DIR=1 \
    && cd src \
    && pip install -e .
RUN ["/bin/bash", "-lc", "pip install -r requirements/prod.txt"]
