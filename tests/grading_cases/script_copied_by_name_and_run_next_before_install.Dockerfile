# expect: dependency_cache=kept rules=LC012
# why: gen_version.py is copied by its name and run by the very next RUN, a build step whatever its name; an edit to app/ leaves the install cached, and LC012 says (info) that editing gen_version.py reruns it
FROM python:3.11-slim
WORKDIR /app
COPY gen_version.py .
RUN python gen_version.py > VERSION
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY app ./app
CMD ["python", "-m", "app.main"]
