# expect: dependency_cache=kept rules=
FROM python:3.11-slim
WORKDIR /srv
COPY requirements.txt /srv/requirements.txt
RUN pip install -r requirements.txt
ADD . /srv
CMD ["python","run.py"]
