# Sourced by the crawl benchmarks: serves a directory with Debian's nginx
# on 127.0.0.1 (installed when missing), its files and access log under a
# work directory, and stops it on exit.
#
#   . bench/nginx_site.sh
#   nginx_serve WORK ROOT      sets $port, $base and $ngx_pid; the access
#                              log ($WORK/ngx/access.log) holds one status
#                              code per line
#   nginx_stop                 (also run by the EXIT trap nginx_workdir sets)
#   nginx_workdir              makes $work (a fresh temporary directory)
#                              and traps EXIT to stop nginx, kill $vpid
#                              (a background vigie, when the caller set
#                              it) and remove $work; INT/TERM exit 130

need_pkg() { # command package
    command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] && return 0
    echo "bench: installing $2" >&2
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y -q "$2" >/dev/null
    else
        sudo -n apt-get install -y -q "$2" >/dev/null
    fi
}

ngx_pid=
nginx_stop() {
    if [ -n "$ngx_pid" ]; then
        kill -QUIT "$ngx_pid" 2>/dev/null || true
        sleep 0.5
        ngx_pid=
    fi
}

nginx_cleanup() {
    [ -n "$vpid" ] && kill "$vpid" 2>/dev/null && wait "$vpid" 2>/dev/null
    nginx_stop
    rm -rf "$work"
}

nginx_workdir() {
    work=$(mktemp -d)
    vpid=
    trap nginx_cleanup EXIT
    trap 'exit 130' INT TERM
}

nginx_serve() { # work root
    need_pkg nginx nginx
    _nginx=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
    # nginx's worker runs as www-data when started by root: it must read the site.
    chmod 755 "$1"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    base=http://127.0.0.1:$port
    mkdir -p "$1/ngx"
    cat > "$1/ngx/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $1/ngx/nginx.pid;
error_log $1/ngx/error.log;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    log_format st '\$status';
    access_log $1/ngx/access.log st;
    client_body_temp_path $1/ngx; proxy_temp_path $1/ngx;
    fastcgi_temp_path $1/ngx; uwsgi_temp_path $1/ngx; scgi_temp_path $1/ngx;
    server { listen 127.0.0.1:$port; root $2; }
}
NGX
    "$_nginx" -c "$1/ngx/nginx.conf" -p "$1/ngx" &
    ngx_pid=$!
}

# Waits (at most 10 s) until URL answers.
nginx_wait() { # url
    _i=0
    until curl -fs -o /dev/null "$1"; do
        _i=$((_i + 1))
        if [ $_i -ge 100 ]; then
            echo "bench: nginx did not start" >&2
            return 1
        fi
        sleep 0.1
    done
}
