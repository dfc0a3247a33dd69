#!/bin/sh
# Entry point of the demo gateway container (busybox:1.36, run by docker-init).
#
# Lays out the httpd root /www inside the container from the read-only mount
# /srv/gateway, writes the few files that depend on the env, and runs busybox
# httpd in the foreground on port 8080.
#
#   /www/health              {"status":"ok","env":...}   (static, written here)
#   /www/functions/<name>    one JSON file per deployed function (bin/esb deploy
#                            copies them in with docker cp)
#   /www/private/...         behind HTTP basic auth AUTH_USER / AUTH_PASS
#   /www/cgi-bin/...         dynamic answers (see the scripts)
#
# Container environment read: ESB_ENV, ESB_TAG, PROJECT_NAME, AUTH_USER,
# AUTH_PASS (X_API_KEY and REGISTRY_INTERNAL_URL are read by the cgi scripts).
set -eu

: "${ESB_ENV:?ESB_ENV is not set}"
SRC=/srv/gateway
WWW=/www
CONF=/etc/gateway-httpd.conf

mkdir -p "$WWW/functions" "$WWW/cgi-bin" "$WWW/private"
cp "$SRC"/www/* "$WWW/"
cp "$SRC"/cgi-bin/* "$WWW/cgi-bin/"
chmod 755 "$WWW"/cgi-bin/*

printf '{"status":"ok","env":"%s","project":"%s","tag":"%s"}\n' \
  "$ESB_ENV" "${PROJECT_NAME:-}" "${ESB_TAG:-}" >"$WWW/health"

printf '{"user":"%s","env":"%s"}\n' "${AUTH_USER:-}" "$ESB_ENV" >"$WWW/private/whoami.json"

{
  echo ".json:application/json"
  if [ -n "${AUTH_USER:-}" ] && [ -n "${AUTH_PASS:-}" ]; then
    echo "/private:${AUTH_USER}:${AUTH_PASS}"
  else
    # No credentials: nobody can log in (the password below is never sent).
    echo "/private:nobody:$(head -c 16 /dev/urandom | md5sum | cut -c1-32)"
  fi
} >"$CONF"
chmod 600 "$CONF"

echo "gateway: env=$ESB_ENV listening on :8080"
exec httpd -f -v -p 8080 -h "$WWW" -c "$CONF"
