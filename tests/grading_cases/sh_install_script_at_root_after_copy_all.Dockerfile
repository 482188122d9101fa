# expect: dependency_cache=reinstalled rules=LC002
# why: install.sh (see the context) runs the pip install after `COPY . .`; the fix must copy install.sh by name with requirements.txt, or `sh install.sh` finds no script
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN sh install.sh
CMD ["python", "app.py"]
