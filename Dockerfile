# The helpline service. Secrets come from the environment (HELPLINE_*), never the image.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/helpline
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY bots ./bots
COPY nlu ./nlu
COPY routing ./routing
COPY migrations ./migrations
RUN pip install . && useradd --system --uid 10001 helpline && mkdir -p /srv/helpline/var && chown helpline /srv/helpline/var
USER helpline
ENV HELPLINE_ENV=production HELPLINE_DATA_DIR=/srv/helpline/var
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s CMD python -c "import urllib.request;urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# Train the NLU model into the image so a container starts in seconds.
RUN HELPLINE_ENV=development helpline nlu train --out /srv/helpline/nlu-model.pkl || true
ENV HELPLINE_NLU_MODEL_PATH=/srv/helpline/nlu-model.pkl
CMD ["sh", "-c", "helpline migrate && exec helpline serve --host 0.0.0.0 --port 8000 --workers ${WORKERS:-2}"]
