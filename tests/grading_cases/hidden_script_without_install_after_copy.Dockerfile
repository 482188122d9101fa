# expect: dependency_cache=no-install rules=
# why: the only RUN executes build.sh, which (see the context) byte-compiles the code and installs nothing; the image installs no packages
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN sh build.sh
CMD ["python", "main.py"]
