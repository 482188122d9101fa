# expect: dependency_cache=no-install rules=
# why: the packages are installed when the container starts (the ENTRYPOINT's shell), not during the build: no build step installs anything
FROM python:3.11-slim
WORKDIR /app
COPY . .
ENTRYPOINT ["sh", "-c", "pip install -r requirements.txt && exec python app.py"]
