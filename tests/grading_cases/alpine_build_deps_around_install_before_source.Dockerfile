# expect: dependency_cache=kept rules=
# why: requirements.txt is copied alone; the apk build deps, the pip install and the `apk del` all come before `COPY . .`
FROM python:3.12-alpine
WORKDIR /app
COPY requirements.txt ./
RUN apk add --no-cache --virtual .build-deps gcc musl-dev libffi-dev \
    && pip install --no-cache-dir -r requirements.txt \
    && apk del .build-deps
COPY . .
CMD ["python", "bot.py"]
