# expect: dependency_cache=kept rules=
# why: rootfs/ is an overlay of system files (configuration under etc/), not application source; the application in app/ is copied after the install
FROM python:3.11-slim
COPY rootfs/ /
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
COPY app/ /app/
WORKDIR /app
CMD ["python", "main.py"]
