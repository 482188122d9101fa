# expect: dependency_cache=kept rules=
# why: wheels/ is a folder of prebuilt packages, a build input and not application source; the offline install reads it and requirements.txt, and the source comes after
FROM python:3.11-slim
COPY wheels/ /wheels/
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir --no-index --find-links=/wheels -r /tmp/requirements.txt
WORKDIR /app
COPY src/ .
