# expect: dependency_cache=kept rules=
# why: docker/entrypoint.sh is a build input copied by name, not application source; a change to the application (app.py, copied by `COPY . .` after the install) leaves the install cached
FROM python:3.11-slim
COPY docker/entrypoint.sh /usr/local/bin/entrypoint.sh
RUN chmod +x /usr/local/bin/entrypoint.sh
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
ENTRYPOINT ["entrypoint.sh"]
