# YAML front matter (`---`, `key: value`) to Zola's TOML (`+++`, `key = "value"`).
NR == 1 && /^---$/ { print "+++"; fm = 1; next }
fm && /^---$/ { print "+++"; fm = 0; next }
fm {
  i = index($0, ": "); key = substr($0, 1, i - 1); v = substr($0, i + 2)
  if (v !~ /^".*"$/) { gsub(/\\/, "\\\\", v); gsub(/"/, "\\\"", v); v = "\"" v "\"" }
  print key " = " v; next
}
{ print }
