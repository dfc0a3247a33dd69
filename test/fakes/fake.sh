#!/bin/sh
# A stand-in for docker, docker-compose, esb and python3 in tests. It records each call
# (argv, cwd, env, start and end times) under $FAKE_LOG/<time>-<pid>/ and behaves as the
# rules in $FAKE_RULES say. A rule is a line `tool|env|substring|action[;action...]`:
# it applies when the tool name matches (or *), $ENV matches (or *), and the joined argv
# contains the substring (empty matches all). Actions: exit=N, sleep=S, lines=N (print N
# numbered lines), print=TEXT (printf %b), stderr=TEXT, spawn=S (leave a background child
# sleeping S seconds, pid written to $FAKE_LOG/spawned), pidfile (write own pid to
# $FAKE_LOG/pid-<tool>-<env>), closeout (close stdout and stderr, then go on),
# printenv=A,B (print A=<value of A> for each), junit=FILE (copy FILE to the path after
# --junitxml, as pytest writes its JUnit report; junit=<xml...> writes that text, printf %b).
tool=$(basename "$0")
joined="$*"
rec=""
if [ -n "$FAKE_LOG" ]; then
  rec="$FAKE_LOG/$(date +%s%N)-$$-$tool"
  mkdir -p "$rec"
  printf '%s\n' "$tool" > "$rec/tool"
  pwd > "$rec/cwd"
  : > "$rec/argv"
  for a in "$@"; do printf '%s\0' "$a" >> "$rec/argv"; done
  env -0 > "$rec/env"
  date +%s%N > "$rec/start"
fi

finish() {
  [ -n "$rec" ] && date +%s%N > "$rec/end"
  exit "$1"
}

code=0
matched=""
if [ -n "$FAKE_RULES" ]; then
  nl='
'
  oldifs=$IFS
  IFS=$nl
  for rule in $FAKE_RULES; do
    IFS='|' read -r r_tool r_env r_match r_action <<RULE
$rule
RULE
    [ "$r_tool" = "*" ] || [ "$r_tool" = "$tool" ] || continue
    [ "$r_env" = "*" ] || [ "$r_env" = "${ENV:-}" ] || continue
    case "$joined" in *"$r_match"*) ;; *) continue ;; esac
    matched="$r_action"
    break
  done
  IFS=$oldifs
fi

if [ -n "$matched" ]; then
  oldifs=$IFS
  IFS=';'
  for action in $matched; do
    IFS=$oldifs
    case "$action" in
      exit=*) code=${action#exit=} ;;
      sleep=*) sleep "${action#sleep=}" ;;
      lines=*) awk -v n="${action#lines=}" 'BEGIN { for (i = 1; i <= n; i++) print "line " i }' ;;
      print=*) printf '%b\n' "${action#print=}" ;;
      stderr=*) printf '%b\n' "${action#stderr=}" >&2 ;;
      spawn=*) sleep "${action#spawn=}" & echo $! >> "$FAKE_LOG/spawned" ;;
      pidfile) echo $$ > "$FAKE_LOG/pid-$tool-${ENV:-none}" ;;
      closeout) exec >/dev/null 2>&1 ;;
      junit=*)
        junit_out=""; junit_prev=""
        for a in "$@"; do [ "$junit_prev" = "--junitxml" ] && junit_out=$a; junit_prev=$a; done
        if [ -n "$junit_out" ]; then
          mkdir -p "$(dirname "$junit_out")"
          case "${action#junit=}" in
            "<"*) printf '%b\n' "${action#junit=}" > "$junit_out" ;;
            *) cp "${action#junit=}" "$junit_out" ;;
          esac
        fi ;;
      bigline=*) head -c "${action#bigline=}" /dev/zero | tr '\0' x ;;
      printenv=*) for k in $(echo "${action#printenv=}" | tr ',' ' '); do printf '%s=%s\n' "$k" "$(printenv "$k")"; done ;;
    esac
  done
  IFS=$oldifs
  finish "$code"
fi

# Defaults: answer like the real tools would on a healthy run.
case "$tool" in
  docker)
    case "$joined" in
      "compose version"*) [ -n "$FAKE_NO_COMPOSE_V2" ] && { echo "docker: 'compose' is not a docker command." >&2; finish 1; }; echo "Docker Compose version v2.29.0" ;;
      compose*" config"*) echo "services: {}" ;;
      compose*) echo "compose $*" ;;
      "inspect"*) echo '["CONTAINERS_NETWORK=fake-net","GATEWAY_INTERNAL_URL=https://gateway:8443","AGENT_GRPC_TLS_ENABLED=1"]' ;;
      *) ;;
    esac ;;
  docker-compose)
    case "$joined" in
      version*) echo "docker-compose version 1.29.2" ;;
      *" config"*) echo "services: {}" ;;
      *) echo "compose $*" ;;
    esac ;;
  esb) echo "deployed ${ENV:-?} from $*" ;;
  python3|python)
    echo "============================= test session starts =============================="
    echo "collected 2 items"
    echo ""
    echo "tests/test_a.py::test_one PASSED                                        [ 50%]"
    echo "tests/test_a.py::test_two PASSED                                        [100%]"
    echo "============================== 2 passed in 0.01s ==============================="
    ;;
esac
finish 0
