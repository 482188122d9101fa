# expect: dependency_cache=kept rules=
# why: the builder installs requirements.txt under --prefix=/install, copied over /usr/local; `pip install /app` after the source finds the dependencies in /usr/local and only installs the project
FROM python:3.10 AS builder
WORKDIR /install
COPY requirements.txt /requirements.txt
RUN pip install --no-cache-dir --prefix=/install -r /requirements.txt

FROM python:3.10-slim
COPY --from=builder /install /usr/local
COPY . /app
RUN pip install --no-cache-dir /app
ENTRYPOINT ["bot"]
