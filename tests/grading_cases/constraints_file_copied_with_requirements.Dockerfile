# expect: dependency_cache=kept rules=
# why: requirements.txt and the constraints file are copied alone and read by the install before `COPY . .`
FROM python:3.12-slim
WORKDIR /srv
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt
COPY . .
CMD ["gunicorn", "app:app"]
