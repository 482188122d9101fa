# expect: dependency_cache=reinstalled rules=LC002
# why: docker/install.sh (see the context) runs the pip install; it is executed after `COPY . .`, so the install reruns on every change
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN ./docker/install.sh
