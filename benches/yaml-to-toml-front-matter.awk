# Front matter of the generated benchmark pages, YAML (`---`, `key: value`) to Zola's TOML
# (`+++`, `key = value`). Handles one-line `key: value` pairs only, which is all gen_course
# writes: numbers and booleans stay bare, anything else becomes a TOML string.
NR == 1 && /^---$/ { print "+++"; fm = 1; next }
fm && /^---$/ { print "+++"; fm = 0; next }
fm {
  i = index($0, ": ")
  if (i == 0) { print "yaml-to-toml: not a one-line `key: value` pair: " $0 > "/dev/stderr"; exit 1 }
  key = substr($0, 1, i - 1); v = substr($0, i + 2)
  if (v ~ /^-?[0-9]+(\.[0-9]+)?$/ || v == "true" || v == "false") { print key " = " v; next }
  if (v ~ /^".*"$/) v = substr(v, 2, length(v) - 2)
  gsub(/\\/, "\\\\\\\\", v); gsub(/"/, "\\\"", v)
  print key " = \"" v "\""; next
}
{ print }
