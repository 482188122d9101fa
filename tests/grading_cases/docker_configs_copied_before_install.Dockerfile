# expect: dependency_cache=kept rules=
# why: nginx and supervisor configuration files copied by exact name are build inputs, not application source; the code is copied after the install
FROM python:3.11-slim
COPY docker/nginx.conf /etc/nginx/conf.d/default.conf
COPY docker/supervisord.conf /etc/supervisor/conf.d/app.conf
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
