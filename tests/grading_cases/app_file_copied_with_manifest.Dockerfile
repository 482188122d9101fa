# expect: dependency_cache=reinstalled rules=LC001
# why: app.py is application source copied together with requirements.txt, so every edit of app.py changes that COPY and reruns the install
FROM python:3.11-slim
WORKDIR /app
COPY app.py requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "app.py"]
