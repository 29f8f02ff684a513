# Runs one real zsh completion and prints its matches, one per line (used by completion.test.ts):
#   zsh -f zsh-capture.zsh SCRIPT OUT LINE
# Starts an interactive zsh on a pseudo-terminal (zsh/zpty), loads compinit and SCRIPT the way a user does
# (`source <(…)`), types LINE and a TAB, and records every match the completion system adds — a compadd
# wrapper appends them to OUT, and a comppostfuncs hook writes <done> when the completion has finished.
# Exit 0 when the completion ran; 3 without zsh/zpty; 4 when no completion happened.
zmodload zsh/zpty || exit 3
script=$1 out=$2 line=$3
: >| $out
zpty capture zsh -f -i
zpty -w capture "PS1='' PROMPT='' RPROMPT=''"
zpty -w capture 'autoload -U compinit && compinit -u -D'
zpty -w capture "source <(cat ${(q)script})"
zpty -w capture "_capture_out=${(q)out}"
zpty -w capture 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a __hits; builtin compadd -A __hits "$@"; (( $#__hits )) && print -rl -- ${^__hits} >> $_capture_out; builtin compadd "$@"; }'
zpty -w capture '_capture_done() { print -r -- "<done>" >> $_capture_out; }'
zpty -w capture 'bindkey "^I" complete-word; comppostfuncs=(_capture_done)'
zpty -w -n capture "$line"$'\t'
local chunk
for i in {1..600}; do
  grep -qx '<done>' $out 2>/dev/null && break
  zpty -rt capture chunk 2>/dev/null
  sleep 0.05
done
zpty -d capture
grep -qx '<done>' $out || { print -u2 "no completion happened for: $line"; exit 4; }
exit 0
