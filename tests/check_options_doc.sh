#!/usr/bin/env bash
# docs/options.md must show exactly the table `ccheck help options --markdown`
# prints from runtime/options.def.
set -euo pipefail
ccheck=$1
doc=$2
documented=$(sed -n '/<!-- BEGIN runtime options -->/,/<!-- END runtime options -->/p' "$doc" | sed '1d;$d')
generated=$("$ccheck" help options --markdown)
if [ "$documented" != "$generated" ]; then
    echo "docs/options.md is out of date; replace its runtime options table with:"
    echo "$generated"
    exit 1
fi
echo "docs/options.md matches runtime/options.def"
