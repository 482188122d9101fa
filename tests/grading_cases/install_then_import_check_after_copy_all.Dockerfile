# expect: dependency_cache=reinstalled rules=LC002
# why: the install and an import check of the app share one RUN after `COPY . .`; the fix must split them, since the check imports greeter.py and cannot move above the copy
FROM python:3.11-slim
WORKDIR /srv
COPY . .
RUN pip install --no-cache-dir -r requirements.txt && python -c "import greeter; greeter.hello()"
CMD ["python", "greeter.py"]
