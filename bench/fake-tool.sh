#!/bin/bash
# esb-e2e bench: one fast stand-in for docker, compose, esb and python3 (called through
# symlinks of those names). The common path runs bash builtins only (no fork), so a call
# costs one fork+exec of bash. What a call does comes from the environment:
#   BENCH_REC=<file>           append one record: tool, $ENV, start, end, argv (%q-quoted)
#   BENCH_<PHASE>[_<ENV>]      actions for the one command of that phase that matters:
#                              RESET = compose down, UP = compose up, LOGS = compose logs,
#                              DEPLOY = esb, TEST = python3; an _<ENV> variable overrides
#                              the plain one
# Actions (space-separated): sleep=S, exit=N, cat=FILE (print the file),
# pidfile=FILE (append own pid), hold=S (sleep S in a child whose pid is appended to the
# pidfile too, and wait for it), stamp=FILE (write $EPOCHREALTIME there on the way out).
t0=$EPOCHREALTIME
tool=${0##*/}
phase=
case $tool in
  compose)
    case " $* " in
      *" down "*) phase=RESET ;;
      *" up "*) phase=UP ;;
      *" logs "*) phase=LOGS ;;
    esac ;;
  esb) phase=DEPLOY ;;
  python3) phase=TEST ;;
esac
actions=
if [[ -n $phase ]]; then
  plain=BENCH_$phase
  per=BENCH_${phase}_${ENV//-/_}
  actions=${!per-${!plain-}}
fi

code=0
pidf=
stamp=
for a in $actions; do
  case $a in
    sleep=*) sleep "${a#sleep=}" ;;
    exit=*) code=${a#exit=} ;;
    cat=*) cat -- "${a#cat=}" ;;
    pidfile=*) pidf=${a#pidfile=}; echo $$ >> "$pidf" ;;
    hold=*) sleep "${a#hold=}" & [[ -n $pidf ]] && echo $! >> "$pidf"; wait $! ;;
    stamp=*) stamp=${a#stamp=} ;;
  esac
done

if [[ $tool == python3 && -z $actions ]]; then
  echo 'collected 1 item'
  echo 'tests/test_bench.py::test_one PASSED                                      [100%]'
  echo '============================== 1 passed in 0.01s ==============================='
fi

if [[ -n $BENCH_REC ]]; then
  printf -v q '%q ' "$@"
  printf '%s\t%s\t%s\t%s\t%s\n' "$tool" "${ENV-}" "$t0" "$EPOCHREALTIME" "$q" >> "$BENCH_REC"
fi
[[ -n $stamp ]] && echo "$EPOCHREALTIME" > "$stamp"
exit "$code"
