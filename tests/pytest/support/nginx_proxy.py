"""Debian's nginx as a non-daemon child process in front of a registry, with its own
prefix and config in a folder of the test, writing one access log per format:
``combined``, Harbor's ``timed_combined`` (Helm chart variant) and the
``registry_insights`` JSON format of docs/registry-sources.md."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from support.processes import start, wait_for_http

#: The access logs the proxy writes, by format name.
LOGS = {"combined": "combined.log", "timed_combined": "timed.log", "json": "registry.json"}

TIMED_COMBINED = (
    '\'[$time_local]:$remote_addr - "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent" $request_time $upstream_response_time $pipe\''
)
RECOMMENDED_JSON_FORMAT = (
    'escape=json \'{"msec":"$msec","request_id":"$request_id",'
    '"remote_addr":"$remote_addr","x_forwarded_for":"$http_x_forwarded_for",'
    '"remote_user":"$remote_user","method":"$request_method","uri":"$request_uri",'
    '"status":"$status","body_bytes_sent":"$body_bytes_sent",'
    '"user_agent":"$http_user_agent",'
    '"docker_content_digest":"$upstream_http_docker_content_digest",'
    '"content_type":"$upstream_http_content_type","request_time":"$request_time"}\''
)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if Path(path).exists()), None
    )


def nginx_config(prefix: Path, port: int, upstream: str) -> Path:
    temp = prefix / "temp"
    temp.mkdir(parents=True, exist_ok=True)
    config = prefix / "nginx.conf"
    config.write_text(
        f"""daemon off;
master_process off;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} info;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    log_format timed_combined {TIMED_COMBINED};
    log_format registry_insights {RECOMMENDED_JSON_FORMAT};
    access_log {prefix / LOGS["combined"]} combined;
    access_log {prefix / LOGS["timed_combined"]} timed_combined;
    access_log {prefix / LOGS["json"]} registry_insights;
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 0;
        chunked_transfer_encoding on;
        location / {{
            proxy_pass http://{upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 300;
        }}
    }}
}}
"""
    )
    return config


def start_nginx(
    binary: str, prefix: Path, port: int, upstream: str, processes: list[subprocess.Popen[bytes]]
) -> None:
    config = nginx_config(prefix, port, upstream)
    output = prefix / "nginx.out"
    process = start(
        [binary, "-p", str(prefix), "-c", str(config), "-e", str(prefix / "error.log")], output
    )
    processes.append(process)
    wait_for_http(f"http://127.0.0.1:{port}/v2/", process, prefix / "error.log")
