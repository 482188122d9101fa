# expect: dependency_cache=reinstalled rules=LC002
# why: `sudo` only changes the user pip runs as; after `COPY . .` the install reruns on every change
FROM mcr.microsoft.com/devcontainers/python:3.11
WORKDIR /workspace
COPY . .
RUN sudo pip install --no-cache-dir -r requirements.txt
