#!/usr/bin/env bash
# End-to-end test of examples/slurm/ on a real one-node SLURM cluster started here.
#
# Installs Debian's munge and slurm packages if missing, starts munged, slurmctld and slurmd
# (no systemd: the daemons run in the foreground, in the background of this script, with all
# their state, spool, sockets and logs in a temporary folder and on free local ports), submits
# the example's array job (4 shards of the flagship preset) and its dependent merge with
# examples/slurm/submit.sh, waits for both, and checks that the merged report is byte-identical
# to `negcycle run` with the same arguments on one machine. It then recovers from a "failed"
# shard as the example's README tells users to (re-run shard 2 alone, merge again after it) and
# checks that the shard and the report come out byte-identical. Last it runs the exploration
# example (submit.sh --explore: a small design in 4 shards and its merge) against the same
# exploration on one machine.
#
# Every daemon it started is stopped by PID whatever happens (trap), the temporary folder is
# removed, and every wait is bounded.
#
#     bash tests/slurm/run.sh
#
# Environment:
#   NEGCYCLE_BIN                 the negcycle binary to test (default: cargo build --release
#                                --bin negcycle in the repository, then target/release/negcycle,
#                                or $CARGO_TARGET_DIR/release/negcycle if that is set)
#   SLURM_TEST_TRIALS            trials of the experiment, all shards together (default 8003:
#                                not a multiple of 4, so the shards are uneven, nor of the
#                                engine's 256-trial blocks, so shards split blocks)
#   SLURM_TEST_IDLE_TIMEOUT      seconds to wait for the node to be idle (default 120)
#   SLURM_TEST_JOB_TIMEOUT       seconds to wait for the shards and the merge (default 240; they
#                                take about 10 s), and again for the re-run and its merge
#   SLURM_TEST_APT_TIMEOUT       seconds for each apt-get call (default 180)
#   SLURM_TEST_KEEP=1            keep the temporary folder (its path is printed)
set -euo pipefail
export LC_ALL=C # the decimal point of $EPOCHREALTIME, the output of the slurm tools

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
example="$repo/examples/slurm"

# The experiment: the flagship preset, in the 4 shards of the example's `#SBATCH --array=0-3`.
preset=us_rok_sma
cycles=1,2,3,5,10
seed=2019
shards=4
trials="${SLURM_TEST_TRIALS:-8003}"
idle_timeout="${SLURM_TEST_IDLE_TIMEOUT:-120}"
job_timeout="${SLURM_TEST_JOB_TIMEOUT:-240}"
apt_timeout="${SLURM_TEST_APT_TIMEOUT:-180}"
packages=(munge slurmctld slurmd slurm-client)

start_time=$EPOCHREALTIME
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[slurm-test %6ss] %s\n' "$(since "$start_time")" "$*"; }

tmp=""
pids=()     # every daemon started here, in start order
names=()    # their names, for the messages
jobs_ids=() # SLURM jobs submitted here
failed=1    # cleared on success: the EXIT trap prints the logs while it is set
status_msg=""

fail() {
    echo >&2
    echo "slurm-test: FAILED: $*" >&2
    exit 1
}

# ---------------------------------------------------------------------------------------------
# Clean-up: cancel our jobs, stop our daemons by PID (TERM, then KILL after a bounded wait),
# kill any process left that carries this run's marker (slurmstepd, job scripts), remove tmp.

print_logs() {
    [[ -n $tmp && -d $tmp ]] || return 0
    local f
    for f in "$tmp"/log/*.log "$tmp"/log/*.stderr "$tmp"/work/negcycle-*.out; do
        [[ -s $f ]] || continue
        # A daemon's stderr repeats its log file: show it only when the log file is empty.
        [[ $f != *.stderr || ! -s ${f%.stderr}.log ]] || continue
        echo "----- ${f#"$tmp"/} (last 40 lines) -----" >&2
        tail -n 40 "$f" >&2 || true
    done
    echo "----- end of logs -----" >&2
}

stop_pid() { # name pid: TERM, wait up to 15 s, then KILL
    local name=$1 pid=$2 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    echo "slurm-test: $name (pid $pid) ignored SIGTERM for 15 s: SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
}

marked_pids() { # processes whose environment carries this run's marker
    local env_file pid
    for env_file in /proc/[0-9]*/environ; do
        pid=${env_file#/proc/}
        pid=${pid%/environ}
        [[ $pid != "$$" ]] || continue
        if { tr '\0' '\n' <"$env_file"; } 2>/dev/null | grep -qxF "NEGCYCLE_SLURM_TEST_RUN=$tmp"; then
            echo "$pid"
        fi
    done
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM HUP ERR
    if ((rc != 0 || failed)); then
        ((rc != 0)) || rc=1
        print_logs
    fi
    if ((${#jobs_ids[@]} > 0)) && [[ -n ${SLURM_CONF:-} ]]; then
        timeout 10 scancel "${jobs_ids[@]}" >/dev/null 2>&1
    fi
    local i
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        stop_pid "${names[i]}" "${pids[i]}"
        wait "${pids[i]}" 2>/dev/null
    done
    for ((i = 0; i < ${#pids[@]}; i++)); do
        if kill -0 "${pids[i]}" 2>/dev/null; then
            echo "slurm-test: ${names[i]} (pid ${pids[i]}) is still running" >&2
            rc=1
        fi
    done
    if [[ -n $tmp ]]; then
        local left
        left="$(marked_pids)"
        if [[ -n $left ]]; then
            echo "slurm-test: killing processes left by this run: $(echo "$left" | tr '\n' ' ')" >&2
            # shellcheck disable=SC2086
            kill -KILL $left 2>/dev/null
        fi
        if [[ ${SLURM_TEST_KEEP:-0} == 1 ]]; then
            echo "slurm-test: kept $tmp" >&2
        else
            rm -rf "$tmp"
        fi
    fi
    if ((rc == 0)); then
        echo "slurm: 1 passed, 0 failed"
    else
        echo "slurm-test: FAILED after $(since "$start_time") s${status_msg:+ ($status_msg)}" >&2
        echo "slurm: 0 passed, 1 failed"
    fi
    exit "$rc"
}
trap cleanup EXIT
# A command that fails outside `fail` (set -e) still says which one it was.
trap 'status_msg="line $LINENO: \"$BASH_COMMAND\" failed"' ERR
trap 'status_msg="interrupted by SIGINT"; exit 130' INT
trap 'status_msg="interrupted by SIGTERM"; exit 143' TERM
trap 'status_msg="interrupted by SIGHUP"; exit 129' HUP

# ---------------------------------------------------------------------------------------------
tmp="$(mktemp -d "${TMPDIR:-/tmp}/negcycle-slurm.XXXXXX")"
chmod 0755 "$tmp" # munged runs as the munge user and must reach its folder
mkdir -p "$tmp"/{bin,log,run,state,spool,work,munge,single}
marker="NEGCYCLE_SLURM_TEST_RUN=$tmp" # in the environment of everything started here
log "temporary folder $tmp"

# ---------------------------------------------------------------------------------------------
log "packages: ${packages[*]}"
apt_start=$EPOCHREALTIME
installed() {
    local p
    for p in "$@"; do
        [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] ||
            return 1
    done
}
if installed "${packages[@]}"; then
    log "packages already installed"
else
    command -v apt-get >/dev/null || fail "${packages[*]} are not installed and there is no apt-get"
    ((EUID == 0)) || fail "${packages[*]} are not installed; installing them needs root"
    apt_log="$tmp/log/apt-get.out"
    apt_opts=(-q -o DPkg::Lock::Timeout=60 -o Acquire::http::Timeout=30 -o Acquire::Retries=2)
    log "apt-get update"
    timeout "$apt_timeout" apt-get "${apt_opts[@]}" update >"$apt_log" 2>&1 ||
        echo "apt-get update exited with status $?" >>"$apt_log"
    log "apt-get install ${packages[*]}"
    if ! DEBIAN_FRONTEND=noninteractive timeout "$apt_timeout" apt-get "${apt_opts[@]}" install \
        -y --no-install-recommends "${packages[@]}" >>"$apt_log" 2>&1 ||
        ! installed "${packages[@]}"; then
        echo "----- apt-get output (last 40 lines) -----" >&2
        tail -n 40 "$apt_log" >&2
        if grep -qE '(Failed to fetch|Could not resolve|Temporary failure|Unable to connect|Connection failed|Unable to locate package|timed out)' "$apt_log"; then
            fail "apt-get cannot reach the Debian package mirror, so ${packages[*]} cannot be" \
                "installed and the SLURM cluster test cannot run (see apt-get's output above)"
        fi
        fail "apt-get could not install ${packages[*]}, so the SLURM cluster test cannot run" \
            "(see apt-get's output above)"
    fi
    if grep -qE '^(W|E): ' "$apt_log"; then
        log "apt-get warned (installed anyway): $(grep -E '^(W|E): ' "$apt_log" | head -n 3)"
    fi
fi
for cmd in munged mungekey munge unmunge slurmctld slurmd slurmstepd sbatch scontrol sinfo scancel; do
    command -v "$cmd" >/dev/null || fail "$cmd not found after installing ${packages[*]}"
done
apt_seconds=$(since "$apt_start")
log "packages ready in ${apt_seconds} s ($(slurmctld -V))"

# ---------------------------------------------------------------------------------------------
build_start=$EPOCHREALTIME
if [[ -n ${NEGCYCLE_BIN:-} ]]; then
    bin_src="$NEGCYCLE_BIN"
else
    log "cargo build --release --bin negcycle"
    (cd "$repo" && cargo build --release --quiet --bin negcycle) || fail "cargo build failed"
    target_dir="${CARGO_TARGET_DIR:-target}"
    [[ $target_dir == /* ]] || target_dir="$repo/$target_dir"
    bin_src="$target_dir/release/negcycle"
fi
[[ -x $bin_src ]] || fail "negcycle binary not found or not executable: $bin_src"
help="$(timeout 30 "$bin_src" run --help 2>&1)" || fail "$bin_src run --help failed: $help"
[[ $help == *--shard* ]] || fail "$bin_src run --help does not offer --shard: is the CLI built?"
# A copy of the binary: another build of the tree cannot swap it under the running jobs.
cp "$bin_src" "$tmp/bin/negcycle"
bin="$tmp/bin/negcycle"
build_seconds=$(since "$build_start")
log "negcycle binary: $bin_src (${build_seconds} s)"

# ---------------------------------------------------------------------------------------------
cluster_start=$EPOCHREALTIME

# munged, as the munge user, with its own key, socket, pid, seed and log files.
id munge >/dev/null 2>&1 || fail "no munge user (the munge package creates it)"
chown munge:munge "$tmp/munge"
chmod 0755 "$tmp/munge" # munged wants its socket's folder reachable by all
key="$tmp/munge/munge.key"
mungekey --create --keyfile="$key" >"$tmp/log/mungekey.log" 2>&1 ||
    fail "mungekey --create failed: $(cat "$tmp/log/mungekey.log")"
chown munge:munge "$key"
chmod 0400 "$key"
sock="$tmp/munge/munge.socket"
env "$marker" setpriv --reuid=munge --regid=munge --clear-groups -- \
    munged --foreground --socket="$sock" --key-file="$key" --pid-file="$tmp/munge/munged.pid" \
    --seed-file="$tmp/munge/munged.seed" --log-file="$tmp/log/munged.log" \
    >>"$tmp/log/munged.stderr" 2>&1 &
pids+=($!)
names+=(munged)
for ((i = 0; i < 200; i++)); do
    [[ -S $sock ]] && break
    kill -0 "${pids[-1]}" 2>/dev/null || fail "munged exited at start"
    sleep 0.1
done
[[ -S $sock ]] || fail "munged did not create its socket within 20 s"
timeout 10 munge -n --socket="$sock" | timeout 10 unmunge --socket="$sock" >/dev/null ||
    fail "munge credentials do not round-trip through munged"
log "munged up (pid ${pids[-1]})"

# slurm.conf for one node, from what slurmd -C sees: its name, CPUs and memory.
node_hw="$(timeout 30 slurmd -C | head -n 1)" # NodeName=vm CPUs=2 Boards=1 ... RealMemory=24152
[[ $node_hw =~ ^NodeName=([^ ]+)\ (.*CPUs=.*)$ ]] || fail "slurmd -C printed no node line: $node_hw"
node="${BASH_REMATCH[1]}"
node_hw="${BASH_REMATCH[2]}"
free_port() { # a TCP port nobody listens on, from $1 upwards
    local p=$1
    while ((p < 65000)); do
        if command -v ss >/dev/null; then
            if [[ -z "$(ss -Htln "sport = :$p")" ]]; then
                echo "$p"
                return
            fi
        elif ! (: <"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return
        fi
        p=$((p + 1))
    done
    return 1
}
ctld_port="$(free_port $((20000 + RANDOM % 20000)))"
slurmd_port="$(free_port $((ctld_port + 1)))"
export SLURM_CONF="$tmp/slurm.conf"
: >"$tmp/plugstack.conf"
cat >"$SLURM_CONF" <<EOF
# Written by tests/slurm/run.sh: a one-node cluster for one test run.
ClusterName=negcycle-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/run/slurmctld.pid
SlurmdPidFile=$tmp/run/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$tmp/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MinJobAge=3600
KillWait=5
InactiveLimit=0
SlurmdTimeout=60
NodeName=$node NodeAddr=127.0.0.1 $node_hw State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF

env "$marker" slurmctld -D -i -f "$SLURM_CONF" >>"$tmp/log/slurmctld.stderr" 2>&1 &
pids+=($!)
names+=(slurmctld)
ctld_pid=$!
for ((i = 0; i < 300; i++)); do
    timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP' && break
    kill -0 "$ctld_pid" 2>/dev/null || fail "slurmctld exited at start"
    sleep 0.2
done
timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP' || fail "slurmctld did not answer in 60 s"
log "slurmctld up (pid $ctld_pid, port $ctld_port)"

env "$marker" slurmd -D -N "$node" -f "$SLURM_CONF" >>"$tmp/log/slurmd.stderr" 2>&1 &
pids+=($!)
names+=(slurmd)
slurmd_pid=$!
deadline=$((SECONDS + idle_timeout))
state=""
while ((SECONDS < deadline)); do
    kill -0 "$slurmd_pid" 2>/dev/null || fail "slurmd exited at start"
    kill -0 "$ctld_pid" 2>/dev/null || fail "slurmctld died"
    state="$(timeout 10 sinfo -h -N -n "$node" -o %T 2>/dev/null || true)"
    [[ $state == idle ]] && break
    case "$state" in
    *drain* | *down* | *fail* | *inval*)
        # slurmd may register before its first ping: allow a few seconds to settle.
        if ((SECONDS > deadline - idle_timeout + 15)); then
            timeout 10 scontrol show node "$node" >&2 || true
            fail "node $node is $state, not idle"
        fi
        ;;
    esac
    sleep 0.5
done
[[ $state == idle ]] || fail "node $node not idle after ${idle_timeout} s (state: ${state:-none})"
cluster_seconds=$(since "$cluster_start")
log "node $node idle: cluster up in ${cluster_seconds} s (slurmd pid $slurmd_pid, port $slurmd_port)"

# ---------------------------------------------------------------------------------------------
# The example, as a user runs it: from the experiment's directory, through submit.sh.
jobs_start=$EPOCHREALTIME
cd "$tmp/work"
export_vars=(
    "$marker"
    NEGCYCLE_BIN="$bin"
    NEGCYCLE_SCENARIO="$preset"
    NEGCYCLE_CYCLES="$cycles"
    NEGCYCLE_TRIALS="$trials"
    NEGCYCLE_SEED="$seed"
    NEGCYCLE_SHARDS="$shards"
)
# One CPU per shard: two shards at a time on two cores. Options go to both jobs.
submitted="$(env "${export_vars[@]}" bash "$example/submit.sh" --cpus-per-task=1)" ||
    fail "examples/slurm/submit.sh failed"
read -r array_job merge_job <<<"$submitted"
[[ $array_job =~ ^[0-9]+$ && $merge_job =~ ^[0-9]+$ ]] ||
    fail "submit.sh printed '$submitted', not 'ARRAY_JOB MERGE_JOB'"
jobs_ids+=("$array_job" "$merge_job")
log "submitted array job $array_job (shards 0-$((shards - 1))) and merge job $merge_job"

terminal_re='^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE|SPECIAL_EXIT|REVOKED)$'
job_lines() { # one line per job or array task: TASK STATE EXITCODE REASON
    timeout 10 scontrol -o show job "$1" 2>/dev/null | awk '{
        t = "-"; s = "?"; e = "?"; r = "?"
        for (i = 1; i <= NF; i++) {
            split($i, kv, "=")
            if (kv[1] == "ArrayTaskId") t = substr($i, 13)
            else if (kv[1] == "JobState") s = kv[2]
            else if (kv[1] == "ExitCode") e = kv[2]
            else if (kv[1] == "Reason") r = kv[2]
        }
        print t, s, e, r
    }'
}
job_result="" # set by wait_job: its last job_lines
wait_job() { # id what: wait until every task of the job is terminal; fail on the first failure
    local id=$1 what=$2 lines t s e r finished
    while ((SECONDS < deadline)); do
        kill -0 "$ctld_pid" 2>/dev/null || fail "slurmctld died while $what was running"
        kill -0 "$slurmd_pid" 2>/dev/null || fail "slurmd died while $what was running"
        lines="$(job_lines "$id")"
        [[ -n $lines ]] || fail "scontrol knows no job $id ($what)"
        finished=1
        while read -r t s e r; do
            if [[ $s =~ $terminal_re ]]; then
                if [[ $s != COMPLETED || $e != 0:0 ]]; then
                    timeout 10 scontrol show job "$id" >&2 || true
                    status_msg="$what: task $t $s, exit code $e"
                    fail "$what (job $id, task $t) ended $s with exit code $e (reason $r)"
                fi
            else
                finished=0
                if [[ $r == DependencyNeverSatisfied ]]; then
                    status_msg="$what never started"
                    fail "$what (job $id) will never start: a job it depends on failed"
                fi
            fi
        done <<<"$lines"
        if ((finished)); then
            job_result="$lines"
            return 0
        fi
        sleep 1
    done
    timeout 10 scontrol show job "$id" >&2 || true
    status_msg="timeout"
    fail "$what (job $id) not finished after ${job_timeout} s"
}
deadline=$((SECONDS + job_timeout))
wait_job "$array_job" "the shard array"
tasks="$(awk '{ print $1 }' <<<"$job_result" | sort -n | paste -sd ' ')"
[[ $tasks == "0 1 2 3" ]] || fail "array job $array_job ran tasks '$tasks', not 0 1 2 3"
log "array job $array_job: tasks $tasks all COMPLETED ($(since "$jobs_start") s)"
wait_job "$merge_job" "the merge"
jobs_seconds=$(since "$jobs_start")
log "merge job $merge_job COMPLETED: jobs done in ${jobs_seconds} s"

# ---------------------------------------------------------------------------------------------
verify_start=$EPOCHREALTIME
for ((s = 0; s < shards; s++)); do
    [[ -s shard_$s.json ]] || fail "shard_$s.json is missing or empty"
done
extra="$(find . -maxdepth 1 -name 'shard_*.json' | wc -l)"
((extra == shards)) || fail "$extra shard files, expected $shards"
[[ -s results/report.json ]] || fail "the merge wrote no results/report.json"
grep -q "wrote results/report.json" negcycle-merge-"$merge_job".out ||
    fail "the merge job's log does not say it wrote results/report.json"

# The same experiment on one machine, with the default thread count (the shards used one thread).
run_args=(--preset "$preset" --cycles "$cycles" --trials "$trials" --seed "$seed")
log "single-machine run: negcycle run ${run_args[*]}"
timeout 300 "$bin" run "${run_args[@]}" --format json --quiet >"$tmp/single/report.stdout.json" ||
    fail "negcycle run ${run_args[*]} --format json failed"
timeout 300 "$bin" run "${run_args[@]}" --out "$tmp/single/out" --quiet >/dev/null ||
    fail "negcycle run ${run_args[*]} --out failed"
timeout 300 "$bin" merge shard_{0..3}.json --format json >"$tmp/single/merge.stdout.json" ||
    fail "negcycle merge shard_{0..3}.json --format json failed"

same() { # a b what
    if ! cmp -s "$1" "$2"; then
        echo "--- $1 vs $2:" >&2
        cmp "$1" "$2" >&2 || true
        diff <(head -c 4000 "$1") <(head -c 4000 "$2") >&2 || true
        status_msg="reports differ"
        fail "$3"
    fi
}
same "$tmp/single/report.stdout.json" results/report.json \
    "the merged results/report.json differs from the single-machine 'negcycle run --format json'"
same "$tmp/single/out/report.json" results/report.json \
    "the merged results/report.json differs from the single-machine 'negcycle run --out' report.json"
same "$tmp/single/merge.stdout.json" results/report.json \
    "'negcycle merge --format json' stdout differs from the merge's results/report.json"
if ! diff -r "$tmp/single/out" results >"$tmp/log/diff-r.log" 2>&1; then
    cat "$tmp/log/diff-r.log" >&2
    status_msg="reports differ"
    fail "the merged results/ differs from the single-machine 'negcycle run --out' folder"
fi
log "merged report == single-machine report, byte for byte ($(wc -c <results/report.json) bytes;" \
    "$(find results -type f | wc -l) files in results/ identical)"
verify_seconds=$(since "$verify_start")

# The README's recovery from a failed shard: re-run it alone, then the merge after it. The
# re-run must write the same bytes, and the new merge the same report.
rerun_start=$EPOCHREALTIME
mv shard_2.json "$tmp/single/shard_2.first.json"
rerun="$(env "${export_vars[@]}" sbatch --parsable --array=2 --cpus-per-task=1 \
    "$example/negcycle-array.sbatch")" || fail "sbatch --array=2 negcycle-array.sbatch failed"
rerun="${rerun%%;*}"
jobs_ids+=("$rerun")
remerge="$(env "${export_vars[@]}" NEGCYCLE_OUT=results-rerun sbatch --parsable \
    --dependency="afterok:$rerun" "$example/negcycle-merge.sbatch")" ||
    fail "sbatch --dependency=afterok:$rerun negcycle-merge.sbatch failed"
remerge="${remerge%%;*}"
jobs_ids+=("$remerge")
deadline=$((SECONDS + job_timeout))
wait_job "$rerun" "the re-run of shard 2"
[[ -s shard_2.json ]] || fail "the re-run of shard 2 wrote no shard_2.json"
same "$tmp/single/shard_2.first.json" shard_2.json "the re-run of shard 2 differs from the first run"
wait_job "$remerge" "the merge after the re-run"
same results/report.json results-rerun/report.json \
    "the merge after re-running shard 2 differs from the first merge"
rerun_seconds=$(since "$rerun_start")
log "re-run of shard 2 (job $rerun) and its merge (job $remerge): same bytes (${rerun_seconds} s)"

# ---------------------------------------------------------------------------------------------
# The exploration example: a small Latin hypercube in 4 shards (submit.sh --explore) and its
# merge, against the same exploration on one machine, folder for folder.
explore_start=$EPOCHREALTIME
explore_vars=(
    "$marker"
    NEGCYCLE_BIN="$bin"
    NEGCYCLE_SCENARIO="$preset"
    NEGCYCLE_DESIGN=lhs
    NEGCYCLE_POINTS=10
    NEGCYCLE_TRIALS=40
    NEGCYCLE_CYCLES=1,5
    NEGCYCLE_SEED="$seed"
    NEGCYCLE_SHARDS="$shards"
    NEGCYCLE_OUT=explore-results
)
submitted="$(env "${explore_vars[@]}" bash "$example/submit.sh" --explore --cpus-per-task=1)" ||
    fail "examples/slurm/submit.sh --explore failed"
read -r explore_array explore_merge <<<"$submitted"
[[ $explore_array =~ ^[0-9]+$ && $explore_merge =~ ^[0-9]+$ ]] ||
    fail "submit.sh --explore printed '$submitted', not 'ARRAY_JOB MERGE_JOB'"
jobs_ids+=("$explore_array" "$explore_merge")
deadline=$((SECONDS + job_timeout))
wait_job "$explore_array" "the exploration's shard array"
wait_job "$explore_merge" "the exploration's merge"
[[ -s explore-results/summary.txt ]] || fail "the exploration's merge wrote no summary.txt"
timeout 300 "$bin" explore --preset "$preset" --design lhs --points 10 --trials 40 --cycles 1,5 \
    --seed "$seed" --out "$tmp/single/explore" --quiet >/dev/null ||
    fail "negcycle explore on one machine failed"
if ! diff -r "$tmp/single/explore" explore-results >"$tmp/log/diff-explore.log" 2>&1; then
    cat "$tmp/log/diff-explore.log" >&2
    status_msg="explorations differ"
    fail "the merged exploration differs from the single-machine 'negcycle explore --out' folder"
fi
explore_seconds=$(since "$explore_start")
log "exploration: 4 shards merged == single machine, $(find explore-results -type f | wc -l)" \
    "files identical (${explore_seconds} s)"

# ---------------------------------------------------------------------------------------------
failed=0
log "PASS: apt ${apt_seconds} s, binary ${build_seconds} s, cluster start ${cluster_seconds} s," \
    "jobs ${jobs_seconds} s, checks ${verify_seconds} s, re-run ${rerun_seconds} s," \
    "exploration ${explore_seconds} s," \
    "total $(since "$start_time") s"
