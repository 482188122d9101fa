# expect: dependency_cache=reinstalled rules=LC002
# why: CRLF line ends (and no newline after the last line) change nothing for BuildKit: `COPY . .` still sends app.py to the install
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "app.py"]