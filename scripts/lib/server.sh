# Steps the benchmark and load scripts share; sourced by them, not run on its own.

# Installs wrk from Debian when missing.
ensure_wrk() {
  command -v wrk >/dev/null && return 0
  local sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get install -y -qq wrk >/dev/null
}

# A port the OS says is free (one derived from the PID once hit RabbitMQ's 25672).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits until the server (PID $1) answers $2/healthz; when it exits first, shows the end of its
# log ($3) and fails. $4: how many tries, 0.2 s apart (default 600).
wait_for_server() {
  local pid=$1 base=$2 log=$3 tries=${4:-600}
  for _ in $(seq 1 "$tries"); do
    curl -fs "$base/healthz" >/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "the server exited:" >&2; tail -5 "$log" >&2; return 1; }
    sleep 0.2
  done
  echo "the server did not answer $base/healthz" >&2
  return 1
}

# Logs demo user $3 in through the form at $1, keeping cookies in $2; prints the session id.
log_in_demo() {
  local base=$1 jar=$2 user=$3 page csrf
  rm -f "$jar"
  page=$(curl -fs -c "$jar" "$base/login")
  csrf=$(printf '%s' "$page" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | sed -n 1p)
  curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "username=$user" \
    --data-urlencode "password=vaka-demo-2026!" --data-urlencode "csrf=$csrf" "$base/login"
  awk '$6 == "vaka_session" {print $7}' "$jar"
}
