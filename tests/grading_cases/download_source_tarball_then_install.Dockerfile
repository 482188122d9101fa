# expect: dependency_cache=kept rules=
# why: the application is downloaded at a pinned commit inside the RUN; nothing from the build context reaches the install, so a local edit changes nothing
FROM python:3.11-alpine
ARG VERSION=b899c46ff6f6f2ec6392deedcaa4e93f44acc175
RUN wget -O - https://codeload.github.com/example/backup-tool/tar.gz/$VERSION | tar -xz -C / && \
    mv /backup-tool-$VERSION /backup-tool && \
    cd /backup-tool && \
    pip install --no-cache-dir -r requirements.txt
WORKDIR /backup-tool
CMD ["python", "backup.py"]
