# expect: dependency_cache=kept rules=
# why: config/ holds settings and logging files (see the context), copied by name as configuration; the application package is copied after the install
FROM python:3.12-slim
ENV APP_CONFIG=/etc/myapp
COPY config/ ${APP_CONFIG}/
WORKDIR /opt/myapp
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY src/ ./src/
CMD ["python", "-m", "src.server"]
