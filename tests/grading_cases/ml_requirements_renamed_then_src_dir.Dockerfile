# expect: dependency_cache=kept rules=
# why: a requirements file from docker/ is copied alone (under another name) and installed with the apt step before `COPY ./src .`
FROM nvcr.io/nvidia/pytorch:24.05-py3
COPY ./docker/requirements-app.txt /usr/src/docker/requirements.txt
RUN apt-get update -y \
    && apt-get install -y libgl1 \
    && pip install -r /usr/src/docker/requirements.txt \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /usr/src/app
COPY ./src .
CMD ["python", "serve.py"]
