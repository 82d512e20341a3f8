#!/bin/bash
# Submits a negcycle experiment to SLURM: the array of shards, then the merge that waits for
# all of them (afterok). Run it from the experiment's directory, where the shards and results/
# are written; options are passed to both sbatch calls (e.g. --partition=short --account=lab).
#
#     ./submit.sh [SBATCH OPTION]...
#     ./submit.sh --explore [SBATCH OPTION]...   # an exploration: explore-array, explore-merge
#
# Prints "ARRAY_JOB_ID MERGE_JOB_ID" on stdout (what happened goes to stderr).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
array_job="negcycle-array.sbatch"
merge_job="negcycle-merge.sbatch"
if [[ ${1:-} == --explore ]]; then
    shift
    array_job="explore-array.sbatch"
    merge_job="explore-merge.sbatch"
fi
for opt in "$@"; do
    case "$opt" in
    -a | -a* | --array | --array=*)
        echo "submit.sh: set the shard count in $array_job (SHARDS and --array)," \
            "not with $opt: these options go to the merge job too" >&2
        exit 2
        ;;
    esac
done

array="$(sbatch --parsable "$@" "$here/$array_job")"
array="${array%%;*}" # --parsable prints "id" or "id;cluster"
# --kill-on-invalid-dep: if a shard fails the merge is cancelled rather than left pending forever.
merge="$(sbatch --parsable "$@" --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    "$here/$merge_job")"
merge="${merge%%;*}"

echo "submitted shards as array job $array and the merge as job $merge (afterok:$array)" >&2
echo "follow with: squeue -j $array,$merge    results in: $PWD/results/" >&2
echo "$array $merge"
