# expect: dependency_cache=kept rules=
# why: the requirements are installed before the source; `collectstatic` after `COPY . .` reruns but installs nothing
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/production.txt
COPY . .
RUN python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
