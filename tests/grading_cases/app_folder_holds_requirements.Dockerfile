# expect: dependency_cache=reinstalled rules=LC002
# why: requirements.txt lives in the app folder and reaches the image only with `COPY ./app /app`, so editing any module reruns the install; the fix copies app/requirements.txt alone first
FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11
COPY ./app /app
RUN pip install --no-cache-dir -r /app/requirements.txt
